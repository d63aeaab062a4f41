"""Inbound deliveries admin: every request the receivers got, verified or not, with its result; the status inbox's
state and apply result, and staff applying pending deliveries or retrying failed ones through the service."""

from __future__ import annotations

from django.contrib import admin

from bridge.models import InboundDelivery, ReceivedEvent
from bridge.services.inbox import inbound_delivery_apply_now, inbound_delivery_retry
from makrx.admin.actions import ObjectButton, ServiceActionsMixin
from makrx.admin.readonly import ReadOnlyAdminMixin

State = InboundDelivery.State


@admin.register(InboundDelivery)
class InboundDeliveryAdmin(ServiceActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "endpoint",
        "transport",
        "result",
        "status_code",
        "state",
        "apply_result",
        "attempts",
        "verified",
        "auth_method",
        "event_id",
    )
    list_filter = (
        "state",
        "apply_result",
        "result",
        "endpoint",
        "verified",
        "auth_method",
        "transport",
        "status_code",
        "created_at",
    )
    search_fields = ("=event_id", "=request_id", "=dedupe_key", "path", "body", "detail")
    date_hierarchy = "created_at"
    actions = ["apply_now", "retry_failed"]
    object_buttons = (
        ObjectButton("Apply now", action="apply_now", shown=lambda d: d.state in (State.PENDING, State.FAILED)),
        ObjectButton("Retry", action="retry_failed", shown=lambda d: d.state == State.FAILED),
    )

    @admin.action(description="Apply the selected pending (or failed) status deliveries now")
    def apply_now(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda delivery: inbound_delivery_apply_now(actor=request.user, delivery=delivery),
            "deliveries applied",
        )

    @admin.action(description="Retry the selected failed status deliveries (fresh attempts, applied by the worker)")
    def retry_failed(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda delivery: inbound_delivery_retry(actor=request.user, delivery=delivery),
            "deliveries queued again",
        )


@admin.register(ReceivedEvent)
class ReceivedEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("key", "endpoint", "created_at")
    list_filter = ("endpoint", "created_at")
    search_fields = ("key",)
    date_hierarchy = "created_at"
