"""The earlier store front's checkout shapes (§5.3 #9); prices and totals are never read from the client."""

from __future__ import annotations

from rest_framework import serializers

PAYMENT_METHODS = ("stripe", "razorpay")


class LegacyAddressSerializer(serializers.Serializer):
    """The earlier address; stored as given (keys as named here) on the order. Unknown keys are dropped."""

    name = serializers.CharField(max_length=200)
    line1 = serializers.CharField(max_length=255)
    line2 = serializers.CharField(max_length=255, required=False, allow_blank=True, allow_null=True)
    city = serializers.CharField(max_length=100)
    state = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    postal_code = serializers.CharField(max_length=20)
    country = serializers.CharField(max_length=64)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, allow_null=True)
    email = serializers.EmailField(required=False, allow_blank=True, allow_null=True)


class LegacyCheckoutSerializer(serializers.Serializer):
    shipping_address = LegacyAddressSerializer()
    billing_address = LegacyAddressSerializer(
        required=False, allow_null=True, default=None, help_text="Default: the shipping address."
    )
    shipping_method = serializers.CharField(max_length=50, required=False, allow_blank=True, default="standard")
    payment_method = serializers.ChoiceField(choices=PAYMENT_METHODS)
    coupon_code = serializers.CharField(
        max_length=64, required=False, allow_blank=True, allow_null=True, default="", help_text="Not accepted yet."
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, allow_null=True, default="")
    email = serializers.EmailField(
        required=False, allow_blank=True, default="", help_text="Guests: here or in shipping_address.email."
    )


class LegacyCheckoutAnswerSerializer(serializers.Serializer):
    order_id = serializers.IntegerField()
    order_number = serializers.CharField()
    status = serializers.CharField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    payment_method = serializers.CharField()
    payment_intent = serializers.CharField(
        allow_null=True, help_text="The provider's client secret; null when the provider is not configured."
    )
