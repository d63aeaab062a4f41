"""Store admin for orders: status changes only through the order services (cancel, fulfil, refund) and the
payment services (mark paid offline, refund money: ``store/admin/payments.py``)."""

from __future__ import annotations

from django.contrib import admin

from makrx.admin.actions import ServiceActionsMixin
from makrx.admin.readonly import ReadOnlyInline
from store.admin.payments import OrderPaymentActionsMixin
from store.models import Order, OrderEvent, OrderLine
from store.services import orders as order_services


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ("sku", "name", "unit_price", "quantity", "line_total", "product")


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "kind", "from_status", "to_status", "actor", "note")


@admin.register(Order)
class OrderAdmin(OrderPaymentActionsMixin, ServiceActionsMixin, admin.ModelAdmin):
    list_display = ("number", "email", "user", "status", "total", "currency", "created_at", "paid_at", "expires_at")
    list_filter = ("status", "currency", "created_at", "paid_at")
    list_select_related = ("user",)
    search_fields = ("number", "email", "user__username", "user__email", "lines__sku")
    date_hierarchy = "created_at"
    autocomplete_fields = ("user",)
    readonly_fields = (
        "number", "user", "status", "currency", "subtotal", "discount", "coupon_code", "tax_rate", "tax", "total", "cart",
        "expires_at", "paid_at", "fulfilled_at", "cancelled_at", "refunded_at", "created_at", "updated_at",
        "payment_records",
    )  # fmt: skip
    fields = readonly_fields[:3] + ("email", "shipping_address", "billing_address", "notes") + readonly_fields[3:]
    inlines = [OrderLineInline, OrderEventInline]
    actions = ["cancel", "fulfil", "mark_paid_offline", "refund_money", "refund"]

    def has_add_permission(self, request):
        return False  # orders come from checkout

    def has_delete_permission(self, request, obj=None):
        return False  # history and stock movements point at them; cancel or refund instead

    def _apply(self, request, queryset, service, verb: str, **kwargs):
        self.run_service(
            request, queryset, lambda order: service(order=order, actor=request.user, **kwargs), f"orders {verb}"
        )

    @admin.action(description="Cancel selected orders (stock returned)")
    def cancel(self, request, queryset):
        self._apply(request, queryset, order_services.order_cancel, "cancelled", reason="admin")

    @admin.action(description="Mark selected paid orders fulfilled (shipped)")
    def fulfil(self, request, queryset):
        self._apply(request, queryset, order_services.order_fulfil, "fulfilled", note="admin")

    @admin.action(description="Record refund of selected orders without moving money (unshipped stock returned)")
    def refund(self, request, queryset):
        self._apply(request, queryset, order_services.order_refund, "refunded", note="admin")
