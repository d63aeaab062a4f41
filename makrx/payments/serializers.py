"""Platform payment request/response shapes (no business rules here)."""

from __future__ import annotations

from rest_framework import serializers

from makrx.api import fields


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    purpose = serializers.CharField(help_text="What is paid, e.g. store.order, makerspace.invoice.")
    reference = serializers.CharField(help_text="The paid object's number or id.")
    provider = serializers.CharField()
    provider_ref = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount_refunded = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    status = serializers.CharField(help_text="pending, captured, failed, refunded or partially_refunded.")
    captured_at = fields.DateTimeField(allow_null=True)


class RazorpayConfirmInputSerializer(serializers.Serializer):
    razorpay_order_id = serializers.CharField(max_length=255)
    razorpay_payment_id = serializers.CharField(max_length=255)
    razorpay_signature = serializers.CharField(max_length=255)


class WebhookResultSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    result = serializers.CharField(help_text="processed, ignored, duplicate, mismatch or failed.")
