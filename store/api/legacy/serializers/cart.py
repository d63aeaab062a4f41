"""The earlier store front's cart shapes (§5.3 #6-#8) from the v1 cart, its lines and ``cart_totals``."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from makrx.api import fields
from store.services.cart import MAX_LINE_QUANTITY


class LegacyCartSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null until the first item is added.")
    user_id = serializers.IntegerField(allow_null=True)
    session_id = serializers.CharField(allow_null=True, help_text="The X-Session-ID of this request, echoed.")
    status = serializers.CharField(help_text="Always active: a merged cart is never answered.")
    created_at = fields.DateTimeField(allow_null=True)


class LegacyCartProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    featured_image = serializers.CharField(allow_null=True)
    current_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    in_stock = serializers.BooleanField()


class LegacyCartItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = LegacyCartProductSerializer()
    quantity = serializers.IntegerField()
    price_at_time = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="The current catalog price (MakrX prices carts live)."
    )
    item_total = serializers.DecimalField(max_digits=12, decimal_places=2)


class LegacyCartSummarySerializer(serializers.Serializer):
    total_amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Tax included, as checkout.")
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    tax_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_items = serializers.IntegerField()
    currency = serializers.CharField()


class LegacyCartAnswerSerializer(serializers.Serializer):
    cart = LegacyCartSerializer()
    items = LegacyCartItemSerializer(many=True)
    summary = LegacyCartSummarySerializer()


def _money(value) -> str:
    return f"{value:.2f}"


def _item(item) -> dict:
    product = item.product
    stock = getattr(product, "stock", None)
    images = product.images if isinstance(product.images, list) else []
    return {
        "id": item.pk,
        "product": {
            "id": product.pk,
            "name": product.name,
            "slug": product.slug,
            "featured_image": next((image for image in images if isinstance(image, str)), None),
            "current_price": _money(product.price),
            "in_stock": bool(stock is not None and stock.available > 0),
        },
        "quantity": item.quantity,
        "price_at_time": _money(product.price),
        "item_total": _money(product.price * item.quantity),
    }


def cart_answer(*, cart, items, totals, session_id: str | None) -> dict:
    """The earlier cart answer; ``cart`` may be ``None`` (a guest before their first add: nothing stored)."""
    return {
        "cart": {
            "id": cart.pk if cart else None,
            "user_id": cart.user_id if cart else None,
            "session_id": session_id,
            "status": "active",
            "created_at": fields.DateTimeField().to_representation(cart.created_at) if cart else None,
        },
        "items": [_item(item) for item in items],
        "summary": {
            "total_amount": _money(totals.total),
            "subtotal": _money(totals.subtotal),
            "tax_amount": _money(totals.tax),
            "total_items": totals.item_count,
            "currency": cart.currency if cart else settings.DEFAULT_CURRENCY,
        },
    }


class LegacyCartAddSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY, default=1)
    meta = serializers.DictField(required=False, allow_null=True, help_text="Accepted and ignored.")


class LegacyCartItemUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=0, max_value=MAX_LINE_QUANTITY, help_text="0 removes the line.")


class LegacyMessageSerializer(serializers.Serializer):
    message = serializers.CharField()
