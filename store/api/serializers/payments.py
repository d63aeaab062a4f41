"""Payment and webhook response shapes (no business rules here)."""

from __future__ import annotations

from rest_framework import serializers


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
