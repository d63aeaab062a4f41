"""Baseline admin screens for carts, orders and payments, registered only when no other module did.

The commerce engineer owns these screens (``store/admin_orders.py`` with actions through the order
services). Until that module registers its own, staff still get searchable, read-mostly lists. This runs
from ``StoreConfig.ready()``, after the admin has imported every ``admin`` module, so it never collides.
"""

from __future__ import annotations

from django.contrib import admin

from store.models import Cart, CartItem, Order, OrderEvent, OrderLine, Payment, WebhookEvent


class CartItemInline(admin.TabularInline):
    model = CartItem
    autocomplete_fields = ("product",)
    extra = 0


class CartAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "token", "currency", "merged_into", "updated_at")
    list_filter = ("currency",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "token")
    raw_id_fields = ("user", "merged_into")
    inlines = [CartItemInline]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    fields = ("sku", "name", "unit_price", "quantity", "line_total", "product")
    readonly_fields = fields
    extra = 0
    can_delete = False


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    fields = ("created_at", "kind", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False


class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "email", "status", "total", "currency", "created_at", "paid_at")
    list_filter = ("status", "currency", "created_at")
    list_select_related = ("user",)
    search_fields = ("number", "email", "user__username", "lines__sku")
    date_hierarchy = "created_at"
    raw_id_fields = ("user", "cart")
    readonly_fields = (
        "number", "status", "currency", "subtotal", "tax_rate", "tax", "total", "idempotency_key",
        "expires_at", "paid_at", "fulfilled_at", "cancelled_at", "refunded_at", "created_at", "updated_at",
    )  # fmt: skip
    inlines = [OrderLineInline, OrderEventInline]


class PaymentAdmin(admin.ModelAdmin):
    list_display = ("provider", "provider_ref", "order", "amount", "currency", "status", "created_at")
    list_filter = ("provider", "status")
    list_select_related = ("order",)
    search_fields = ("provider_ref", "order__number")
    raw_id_fields = ("order",)
    readonly_fields = ("provider", "provider_ref", "amount", "currency", "succeeded_at", "raw", "created_at")


class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "provider", "event_id", "type", "signature_valid", "result", "processed_at")
    list_filter = ("provider", "result", "signature_valid", "type")
    search_fields = ("event_id", "type", "request_id")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in WebhookEvent._meta.fields]

    def has_add_permission(self, request):
        return False


FALLBACKS = {Cart: CartAdmin, Order: OrderAdmin, Payment: PaymentAdmin, WebhookEvent: WebhookEventAdmin}


def register_missing(site: admin.AdminSite = admin.site) -> None:
    for model, model_admin in FALLBACKS.items():
        if not site.is_registered(model):
            site.register(model, model_admin)
