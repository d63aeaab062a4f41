"""Invoices: drafts (typed lines or a period of billable records), actions, payments and their outputs."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import ID
from makerspace.models import CreditNote, Invoice, InvoiceLine, InvoicePayment
from makrx.api import fields
from makrx.payments.models import OFFLINE_METHODS

MONEY = {"max_digits": 12, "decimal_places": 2}


class InvoiceLineInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    quantity = serializers.DecimalField(max_digits=9, decimal_places=3, min_value=0, max_value=10**5, default="1")
    unit_price = serializers.DecimalField(**MONEY, min_value=-(10**7), max_value=10**7)


class InvoiceCreateSerializer(serializers.Serializer):
    """Either ``lines`` (a typed draft) or ``period_from`` + ``period_to`` (the member's unbilled records)."""

    member = serializers.IntegerField(**ID)
    lines = InvoiceLineInputSerializer(many=True, required=False, max_length=1000)
    period_from = fields.DateField(required=False)
    period_to = fields.DateField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate(self, attrs):
        has_lines = bool(attrs.get("lines"))
        has_period = "period_from" in attrs or "period_to" in attrs
        if has_lines == has_period:
            raise serializers.ValidationError({"lines": ["Give either lines or period_from and period_to."]})
        if has_period and not ("period_from" in attrs and "period_to" in attrs):
            raise serializers.ValidationError({"period_to": ["Give both period_from and period_to."]})
        return attrs


class InvoiceVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class InvoicePaySerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=["razorpay", "stripe", "wallet"])


class InvoiceMarkPaidSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=list(OFFLINE_METHODS))
    reference = serializers.CharField(max_length=200, allow_blank=True, default="")
    amount = serializers.DecimalField(**MONEY, required=False, min_value=0, help_text="Default: what is owed.")


class InvoiceRefundSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, min_value=0)
    destination = serializers.ChoiceField(choices=["original", "wallet"], default="original")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class PaymentStartOutputSerializer(serializers.Serializer):
    """A started gateway payment: what the browser needs to complete it."""

    payment = serializers.IntegerField(source="payment.pk")
    provider = serializers.CharField(source="payment.provider")
    status = serializers.CharField(source="payment.status")
    amount = serializers.DecimalField(**MONEY, source="payment.amount")
    currency = serializers.CharField(source="payment.currency")
    client_secret = serializers.CharField()
    checkout = serializers.DictField()


class InvoiceLineOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "position",
            "description",
            "quantity",
            "unit_price",
            "amount",
            "tax_rate",
            "cgst",
            "sgst",
            "igst",
            "line_total",
            "record",
        ]


class InvoicePaymentOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoicePayment
        fields = ["id", "kind", "method", "amount", "currency", "reference", "destination", "created_at"]


class CreditNoteOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditNote
        fields = ["id", "number", "subtotal", "tax_total", "total", "currency", "reason", "created_at"]


class InvoiceOutputSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.user.display_name", read_only=True)
    tax = serializers.DecimalField(**MONEY, source="tax_total", read_only=True)
    amount_due = serializers.DecimalField(**MONEY, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "status",
            "makerspace",
            "member",
            "member_name",
            "currency",
            "period_from",
            "period_to",
            "supply",
            "place_of_supply",
            "subtotal",
            "tax",
            "tax_total",
            "total",
            "amount_paid",
            "amount_refunded",
            "amount_credited",
            "amount_due",
            "issued_at",
            "due_on",
            "paid_at",
            "voided_at",
            "created_at",
        ]


class InvoiceDetailOutputSerializer(InvoiceOutputSerializer):
    lines = InvoiceLineOutputSerializer(many=True, read_only=True)
    payments = InvoicePaymentOutputSerializer(many=True, read_only=True)
    credit_notes = CreditNoteOutputSerializer(many=True, read_only=True)

    class Meta(InvoiceOutputSerializer.Meta):
        fields = [*InvoiceOutputSerializer.Meta.fields, "notes", "void_reason", "lines", "payments", "credit_notes"]


class InvoicePayOutputSerializer(serializers.Serializer):
    """``/pay/``: the invoice, and for a gateway the payment the browser completes (null for the wallet)."""

    invoice = InvoiceDetailOutputSerializer()
    payment = PaymentStartOutputSerializer(allow_null=True)
