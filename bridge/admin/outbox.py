"""Outbox admin: every message with its attempts; staff re-queue dead or failed ones through the service."""

from __future__ import annotations

from django.contrib import admin

from bridge.models import DeliveryAttempt, OutboxMessage
from bridge.selectors.outbox import outbox_admin_queryset
from bridge.services.outbox import outbox_requeue
from makrx.admin.actions import ServiceActionsMixin
from makrx.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ("created_at", "number", "transport", "url", "status_code", "result", "duration_ms", "error")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ServiceActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "kind",
        "destination",
        "key",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "kind", "destination", "created_at")
    search_fields = ("=message_id", "key", "request_id", "last_error")
    date_hierarchy = "created_at"
    inlines = [DeliveryAttemptInline]
    actions = ["requeue"]

    def get_queryset(self, request):
        return outbox_admin_queryset()

    @admin.action(description="Re-queue the selected dead or failed messages (fresh attempts, due now)")
    def requeue(self, request, queryset):
        self.run_service(
            request, queryset, lambda message: outbox_requeue(actor=request.user, message=message), "messages re-queued"
        )


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "message", "number", "transport", "status_code", "result", "duration_ms")
    list_filter = ("result", "transport", "message__kind", "created_at")
    list_select_related = ("message",)
    search_fields = ("=message__message_id", "url", "error")
    date_hierarchy = "created_at"
