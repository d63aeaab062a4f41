"""Coupon request shapes (the answer is the cart, see serializers.cart)."""

from __future__ import annotations

from rest_framework import serializers

from store.services.coupons import MAX_CODE_LENGTH


class CouponApplySerializer(serializers.Serializer):
    code = serializers.CharField(max_length=MAX_CODE_LENGTH, help_text="Any case.")
