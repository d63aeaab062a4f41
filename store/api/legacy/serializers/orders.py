"""The earlier store front's order shape (§5.3 #10), with the one table mapping v1 order states onto it."""

from __future__ import annotations

import math

from rest_framework import serializers

from makrx.api import fields
from store.models import Order

S = Order.Status
# v1 order status → the earlier app's (status, payment_status). The one place this mapping is written.
# MakrX records fulfilment as the hand-over to the carrier and no delivery: ``fulfilled`` is ``shipped``.
ORDER_STATUSES: dict[str, tuple[str, str]] = {
    S.PENDING_PAYMENT: ("pending", "pending"),
    S.PAID: ("processing", "paid"),
    S.FULFILLED: ("shipped", "paid"),
    S.CANCELLED: ("cancelled", "cancelled"),
    S.REFUNDED: ("refunded", "refunded"),
}
LEGACY_STATUSES = ("pending", "processing", "shipped", "delivered", "cancelled", "refunded")


class LegacyOrderLineSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(allow_null=True)
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    product_name = serializers.CharField()
    product_sku = serializers.CharField()


class LegacyOrderAddressesSerializer(serializers.Serializer):
    billing = serializers.DictField()
    shipping = serializers.DictField()


class LegacyOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order_number = serializers.CharField()
    status = serializers.ChoiceField(choices=LEGACY_STATUSES)
    payment_status = serializers.CharField()
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    tax_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    addresses = LegacyOrderAddressesSerializer()
    items = LegacyOrderLineSerializer(many=True)
    created_at = fields.DateTimeField()
    shipped_at = fields.DateTimeField(allow_null=True)
    tracking_number = serializers.CharField(allow_null=True)


def _money(value) -> str:
    return f"{value:.2f}"


def _when(value) -> str | None:
    return fields.DateTimeField().to_representation(value) if value else None


def legacy_order(order: Order) -> dict:
    """An order (lines prefetched) in the earlier shape. MakrX charges no shipping (``shipping_amount``
    0); ``discount_amount`` is the coupon discount; no tracking number is recorded (null)."""
    status, payment_status = ORDER_STATUSES[order.status]
    return {
        "id": order.pk,
        "order_number": order.number,
        "status": status,
        "payment_status": payment_status,
        "currency": order.currency,
        "subtotal": _money(order.subtotal),
        "tax_amount": _money(order.tax),
        "shipping_amount": "0.00",
        "discount_amount": _money(order.discount),
        "total": _money(order.total),
        "addresses": {"billing": order.billing_address or {}, "shipping": order.shipping_address or {}},
        "items": [
            {
                "product_id": line.product_id,
                "quantity": line.quantity,
                "unit_price": _money(line.unit_price),
                "total_price": _money(line.line_total),
                "product_name": line.name,
                "product_sku": line.sku,
            }
            for line in order.lines.all()
        ],
        "created_at": _when(order.created_at),
        "shipped_at": _when(order.fulfilled_at),
        "tracking_number": None,
    }


class LegacyOrderListQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=1_000_000)
    per_page = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)


class LegacyOrderListSerializer(serializers.Serializer):
    orders = LegacyOrderSerializer(many=True)
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    pages = serializers.IntegerField()


def order_page(*, orders: list[Order], total: int, page: int, per_page: int) -> dict:
    return {
        "orders": [legacy_order(order) for order in orders],
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": math.ceil(total / per_page),
    }
