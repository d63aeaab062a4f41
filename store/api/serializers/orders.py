"""Order request/response shapes (no business rules here)."""

from __future__ import annotations

from rest_framework import serializers

from makrx.api import fields


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
    created_at = fields.DateTimeField()


class OrderPaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    provider = serializers.CharField(help_text="stripe, razorpay, or offline: cash, bank_transfer, upi_offline.")
    provider_ref = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount_refunded = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    status = serializers.CharField(help_text="pending, captured, failed, refunded or partially_refunded.")
    succeeded_at = fields.DateTimeField(source="captured_at", allow_null=True, help_text="When it was captured.")


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField(help_text="pending_payment, paid, fulfilled, cancelled or refunded.")
    email = serializers.EmailField()
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Coupon discount, before tax.")
    coupon_code = serializers.CharField(help_text="The redeemed coupon, or empty.")
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    tax = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    lines = OrderLineSerializer(many=True)
    shipping_address = serializers.DictField()
    billing_address = serializers.DictField()
    notes = serializers.CharField()
    created_at = fields.DateTimeField()
    expires_at = fields.DateTimeField(allow_null=True)
    paid_at = fields.DateTimeField(allow_null=True)
    fulfilled_at = fields.DateTimeField(allow_null=True)
    cancelled_at = fields.DateTimeField(allow_null=True)
    refunded_at = fields.DateTimeField(allow_null=True)


class OrderDetailSerializer(OrderSerializer):
    events = OrderEventSerializer(many=True)
    payments = OrderPaymentSerializer(many=True)


class OrderActionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
