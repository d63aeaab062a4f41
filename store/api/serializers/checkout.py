"""Checkout request shape (no business rules here)."""

from __future__ import annotations

from rest_framework import serializers


class CheckoutInputSerializer(serializers.Serializer):
    """Prices and totals are never read from the client; unknown fields are ignored."""

    email = serializers.EmailField(required=False, allow_blank=True, default="")
    shipping_address = serializers.DictField(required=False, default=dict)
    billing_address = serializers.DictField(required=False, default=dict)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    coupon_code = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=40,
        help_text="Optional: a coupon to redeem with this checkout (instead of the one applied to the cart).",
    )
