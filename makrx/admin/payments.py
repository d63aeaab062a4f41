"""Platform payments in the admin: payments, refunds and webhook deliveries, read-only (services write them)."""

from __future__ import annotations

from django.contrib import admin

from makrx.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline
from makrx.payments.models import Payment, Refund, WebhookEvent
from makrx.payments.registry import purpose_describe


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ("created_at", "amount", "currency", "status", "destination", "provider_ref", "actor", "reason", "error")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id", "purpose", "reference", "provider", "provider_ref", "amount", "amount_refunded", "currency", "status",
        "actor", "captured_at", "created_at",
    )  # fmt: skip
    list_filter = ("status", "provider", "purpose", "currency", "created_at")
    list_select_related = ("actor",)
    search_fields = ("reference", "provider_ref", "provider_payment_ref", "offline_reference", "customer_email")
    date_hierarchy = "created_at"
    inlines = [RefundInline]

    @admin.display(description="What it pays")
    def paid_object(self, obj: Payment) -> str:
        return purpose_describe(obj.purpose, obj.reference)

    def get_readonly_fields(self, request, obj=None):
        return ["paid_object", *super().get_readonly_fields(request, obj)]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "payment",
        "amount",
        "currency",
        "status",
        "destination",
        "provider_ref",
        "actor",
        "created_at",
    )
    list_filter = ("status", "destination", "payment__provider", "payment__purpose", "created_at")
    list_select_related = ("payment", "actor")
    search_fields = ("provider_ref", "payment__reference", "payment__provider_ref", "reason")
    date_hierarchy = "created_at"


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every delivery, verified or not, read-only."""

    list_display = ("created_at", "provider", "event_id", "type", "signature_valid", "result", "payment", "error")
    list_filter = ("result", "provider", "signature_valid", "type")
    list_select_related = ("payment",)
    search_fields = ("event_id", "type", "request_id", "payment__provider_ref", "payment__reference")
    date_hierarchy = "created_at"
