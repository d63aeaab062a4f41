"""Store admin for orders: status changes only through the order services (cancel, fulfil, refund) and the
payment services (mark paid offline, refund money: ``store/admin/payments.py``).

The order's page has buttons for the legal next steps (Fulfil / ship, Cancel, Mark paid offline, Refund) and a
printable packing slip; addresses are edited as address fields (the checkout's JSON shape). Times show in the
platform's TIME_ZONE.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from makrx.admin.actions import ObjectButton, ServiceActionsMixin
from makrx.admin.display import LocalTimeAdminMixin, StatusBadgeMixin, money_column
from makrx.admin.json_fields import AddressField, keep_unknown_keys
from makrx.admin.readonly import ReadOnlyInline
from store.admin.payments import OrderPaymentActionsMixin
from store.models import Order, OrderEvent, OrderLine
from store.services import orders as order_services


def _may_become(status: str):
    return lambda order: (order.status, status) in order_services.TRANSITIONS


class OrderAdminForm(forms.ModelForm):
    shipping_address = AddressField()
    billing_address = AddressField()

    class Meta:
        model = Order
        fields = ("email", "shipping_address", "billing_address", "notes")

    def clean_shipping_address(self):
        return keep_unknown_keys(self.cleaned_data["shipping_address"], self.instance.shipping_address)

    def clean_billing_address(self):
        return keep_unknown_keys(self.cleaned_data["billing_address"], self.instance.billing_address)


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ("sku", "name", "unit_price", "quantity", "line_total", "product")


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "kind", "from_status", "to_status", "actor", "note")


@admin.register(Order)
class OrderAdmin(
    OrderPaymentActionsMixin, LocalTimeAdminMixin, StatusBadgeMixin, ServiceActionsMixin, admin.ModelAdmin
):
    form = OrderAdminForm
    list_display = ("status", "number", "email", money_column("total"), "created_at", "paid_at")
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
    actions = ["cancel", "fulfil", "mark_paid_offline", "refund_money", "refund", "export_csv"]
    csv_fields = (
        "number", "status", "email", "user__username", "subtotal", "discount", "tax", "total", "currency",
        "created_at", "paid_at", "fulfilled_at", "cancelled_at", "refunded_at",
    )  # fmt: skip
    object_buttons = (
        ObjectButton("Fulfil / ship", action="fulfil", shown=_may_become(Order.Status.FULFILLED)),
        ObjectButton("Cancel order", action="cancel", shown=_may_become(Order.Status.CANCELLED)),
        ObjectButton(
            "Mark paid offline…",
            action="mark_paid_offline",
            shown=lambda order: order.status == Order.Status.PENDING_PAYMENT,
        ),
        ObjectButton(
            "Refund…",
            action="refund_money",
            shown=lambda order: order.status in (Order.Status.PAID, Order.Status.FULFILLED),
        ),
        ObjectButton(
            "Packing slip",
            url=lambda admin_, order: reverse("admin:store_order_packing_slip", args=(order.pk,)),
            shown=lambda order: order.status in (Order.Status.PAID, Order.Status.FULFILLED),
        ),
    )

    def has_add_permission(self, request):
        return False  # orders come from checkout

    def has_delete_permission(self, request, obj=None):
        return False  # history and stock movements point at them; cancel or refund instead

    def get_urls(self):
        slip = path(
            "<path:object_id>/packing-slip/",
            self.admin_site.admin_view(self.packing_slip_view),
            name="store_order_packing_slip",
        )
        return [slip, *super().get_urls()]

    def packing_slip_view(self, request, object_id):
        """A printable packing slip: ship-to address, lines and quantities (no prices), print CSS."""
        order = self.get_object(request, unquote(object_id))
        if order is None or not self.has_view_permission(request, order):
            raise Http404
        context = {
            "order": order,
            "lines": order.lines.order_by("id"),
            "ship_to": order.shipping_address or order.billing_address,
            "placed_at": self.object_timezone(request, order),
        }
        return TemplateResponse(request, "admin/store/order/packing_slip.html", context)

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
