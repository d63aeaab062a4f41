"""Cart request/response shapes (no business rules here)."""

from __future__ import annotations

from rest_framework import serializers


class CartItemInputSerializer(serializers.Serializer):
    product = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    sku = serializers.CharField(required=False, max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000, default=1)

    def validate(self, attrs):
        if ("product" in attrs) == ("sku" in attrs):
            raise serializers.ValidationError({"product": ["Give either a product id or a sku."]})
        return attrs


class CartItemUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=0, max_value=10_000, help_text="0 removes the line.")


class CartItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = serializers.IntegerField(source="product_id")
    sku = serializers.CharField(source="product.sku")
    slug = serializers.CharField(source="product.slug")
    name = serializers.CharField(source="product.name")
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, source="product.price")
    currency = serializers.CharField(source="product.currency")
    quantity = serializers.IntegerField()
    line_total = serializers.SerializerMethodField()
    stock_available = serializers.SerializerMethodField()

    def get_line_total(self, item) -> str:
        return f"{item.product.price * item.quantity:.2f}"

    def get_stock_available(self, item) -> int:
        stock = getattr(item.product, "stock", None)
        return stock.available if stock is not None else 0


class CartSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    token = serializers.CharField(allow_null=True, help_text="Anonymous carts: send it back as X-Cart-Token.")
    currency = serializers.CharField()
    items = CartItemSerializer(many=True)
    item_count = serializers.IntegerField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    coupon = serializers.CharField(help_text="The applied coupon code, or empty.")
    coupon_problem = serializers.CharField(help_text="Why the applied coupon gives nothing now (a coupon_* code).")
    discount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Before tax.")
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Percent, added on top.")
    tax = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)


def cart_data(*, cart, items, totals, coupon: str = "", coupon_problem: str = "") -> dict:
    return CartSerializer(
        {
            "id": cart.pk,
            "token": cart.token,
            "currency": cart.currency,
            "items": items,
            "item_count": totals.item_count,
            "subtotal": totals.subtotal,
            "coupon": coupon,
            "coupon_problem": coupon_problem,
            "discount": totals.discount,
            "tax_rate": totals.tax_rate,
            "tax": totals.tax,
            "total": totals.total,
        }
    ).data
