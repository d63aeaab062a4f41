"""The transactions ledger (billable records)."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.models import BillableRecord


class BillableRecordOutputSerializer(serializers.ModelSerializer):
    billed = serializers.BooleanField(read_only=True)
    invoice = serializers.IntegerField(source="invoice_id", read_only=True, allow_null=True)
    source_type = serializers.CharField(source="source_type.model", read_only=True, allow_null=True, default=None)

    class Meta:
        model = BillableRecord
        fields = [
            "id",
            "makerspace",
            "member",
            "kind",
            "description",
            "quantity",
            "unit_price",
            "amount",
            "currency",
            "occurred_at",
            "source_type",
            "source_id",
            "billed",
            "invoice",
        ]
