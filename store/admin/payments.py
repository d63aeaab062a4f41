"""Store admin for provider payments and webhook deliveries: read-only records written by the payment services."""

from __future__ import annotations

from django.contrib import admin

from makrx.admin.readonly import ReadOnlyAdminMixin
from store.models import Payment, WebhookEvent


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("provider_ref", "provider", "order", "amount", "currency", "status", "succeeded_at", "created_at")
    list_filter = ("provider", "status", "currency")
    list_select_related = ("order",)
    search_fields = ("provider_ref", "order__number", "order__email")
    autocomplete_fields = ("order",)
    date_hierarchy = "created_at"


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every delivery, verified or not, read-only."""

    list_display = ("created_at", "provider", "event_id", "type", "signature_valid", "result", "payment", "error")
    list_filter = ("result", "provider", "signature_valid", "type")
    list_select_related = ("payment",)
    search_fields = ("event_id", "type", "request_id", "payment__provider_ref", "payment__order__number")
    date_hierarchy = "created_at"
