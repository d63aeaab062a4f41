"""Inbound deliveries admin: every request the receivers got, verified or not, with its result."""

from __future__ import annotations

from django.contrib import admin

from bridge.models import InboundDelivery, ReceivedEvent
from makrx.admin.readonly import ReadOnlyAdminMixin


@admin.register(InboundDelivery)
class InboundDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "endpoint",
        "transport",
        "result",
        "status_code",
        "verified",
        "auth_method",
        "event_id",
    )
    list_filter = ("result", "endpoint", "verified", "auth_method", "transport", "status_code", "created_at")
    search_fields = ("=event_id", "=request_id", "path", "body", "detail")
    date_hierarchy = "created_at"


@admin.register(ReceivedEvent)
class ReceivedEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("key", "endpoint", "created_at")
    list_filter = ("endpoint", "created_at")
    search_fields = ("key",)
    date_hierarchy = "created_at"
