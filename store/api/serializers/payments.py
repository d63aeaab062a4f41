"""Payment, offline payment, refund and webhook request/response shapes (no business rules here)."""

from __future__ import annotations

from rest_framework import serializers

from makrx.payments.models import OFFLINE_METHODS, Gateway


class PaymentInputSerializer(serializers.Serializer):
    provider = serializers.ChoiceField(choices=Gateway.choices, default="stripe", required=False)


class PaymentOutputSerializer(serializers.Serializer):
    order = serializers.CharField(source="payment.reference")
    provider = serializers.CharField(source="payment.provider")
    payment_id = serializers.CharField(source="payment.provider_ref")
    client_secret = serializers.CharField(help_text="Stripe: the PaymentIntent's client secret; Razorpay: empty.")
    checkout = serializers.DictField(
        help_text="Razorpay: {key, order_id, amount, currency} for checkout.js; Stripe: empty."
    )
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, source="payment.amount")
    currency = serializers.CharField(source="payment.currency")
    status = serializers.CharField(source="payment.status")


class MarkPaidInputSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=list(OFFLINE_METHODS))
    reference = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="",
        help_text="Receipt, transfer or UPI reference (required for bank_transfer and upi_offline).",
    )  # fmt: skip


class RefundInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None,
        help_text="Omit for everything still paid.",
    )  # fmt: skip
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    note = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="Alias of reason."
    )


class WebhookResultSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    result = serializers.CharField()
