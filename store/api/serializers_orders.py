"""Shapes for cart, checkout, orders and payments (no business rules here)."""

from __future__ import annotations

from rest_framework import serializers

from store.models import Order


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
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Percent, added on top.")
    tax = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)


def cart_data(*, cart, items, totals) -> dict:
    return CartSerializer(
        {
            "id": cart.pk,
            "token": cart.token,
            "currency": cart.currency,
            "items": items,
            "item_count": totals.item_count,
            "subtotal": totals.subtotal,
            "tax_rate": totals.tax_rate,
            "tax": totals.tax,
            "total": totals.total,
        }
    ).data


class CheckoutInputSerializer(serializers.Serializer):
    """Prices and totals are never read from the client; unknown fields are ignored."""

    email = serializers.EmailField(required=False, allow_blank=True, default="")
    shipping_address = serializers.DictField(required=False, default=dict)
    billing_address = serializers.DictField(required=False, default=dict)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class OrderLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = serializers.IntegerField(source="product_id", allow_null=True)
    sku = serializers.CharField()
    name = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity = serializers.IntegerField()
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)


class OrderEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class OrderPaymentSerializer(serializers.Serializer):
    provider = serializers.CharField()
    provider_ref = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    status = serializers.CharField()
    succeeded_at = serializers.DateTimeField(allow_null=True)


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField(help_text="pending_payment, paid, fulfilled, cancelled or refunded.")
    email = serializers.EmailField()
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    tax = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    lines = OrderLineSerializer(many=True)
    shipping_address = serializers.DictField()
    billing_address = serializers.DictField()
    notes = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    fulfilled_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    refunded_at = serializers.DateTimeField(allow_null=True)


class OrderDetailSerializer(OrderSerializer):
    events = OrderEventSerializer(many=True)
    payments = OrderPaymentSerializer(many=True)


class OrderListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Order.Status.choices, required=False)
    created_from = serializers.DateField(required=False, help_text="YYYY-MM-DD, inclusive.")
    created_to = serializers.DateField(required=False, help_text="YYYY-MM-DD, inclusive.")
    search = serializers.CharField(required=False, max_length=64, help_text="Part of the order number or email.")
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1)


class OrderActionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class PaymentOutputSerializer(serializers.Serializer):
    order = serializers.CharField(source="payment.order.number")
    provider = serializers.CharField(source="payment.provider")
    payment_id = serializers.CharField(source="payment.provider_ref")
    client_secret = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, source="payment.amount")
    currency = serializers.CharField(source="payment.currency")
    status = serializers.CharField(source="payment.status")


class WebhookResultSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    result = serializers.CharField()
