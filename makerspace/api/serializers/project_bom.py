"""Project BOM lines, their cost totals and the reserve-from-inventory report."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import ID
from makerspace.models import BOMLine
from makrx.money import quantize_money

QUANTITY = {"max_digits": 14, "decimal_places": 3}
MONEY = {"max_digits": 12, "decimal_places": 2}


class BOMLineInputSerializer(serializers.Serializer):
    inventory_item = serializers.IntegerField(required=False, allow_null=True, **ID)
    store_sku = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    quantity = serializers.DecimalField(**QUANTITY)
    unit_cost = serializers.DecimalField(**MONEY, required=False, allow_null=True)


class BOMLineUpdateSerializer(serializers.Serializer):
    store_sku = serializers.CharField(max_length=64, required=False, allow_blank=True)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    quantity = serializers.DecimalField(**QUANTITY, required=False)
    unit_cost = serializers.DecimalField(**MONEY, required=False)


class BOMTransitionInputSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=BOMLine.State.choices)


class BOMLineOutputSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="inventory_item.sku", read_only=True, allow_null=True, default=None)
    line_cost = serializers.SerializerMethodField()

    class Meta:
        model = BOMLine
        fields = [
            "id",
            "inventory_item",
            "sku",
            "store_sku",
            "description",
            "quantity",
            "unit_cost",
            "currency",
            "line_cost",
            "state",
            "consumed_movement",
            "created_at",
        ]

    def get_line_cost(self, obj) -> str:
        return str(quantize_money(obj.quantity * obj.unit_cost))


class BOMTotalsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    needed = serializers.DecimalField(max_digits=24, decimal_places=2)
    ordered = serializers.DecimalField(max_digits=24, decimal_places=2)
    received = serializers.DecimalField(max_digits=24, decimal_places=2)
    consumed = serializers.DecimalField(max_digits=24, decimal_places=2)
    total = serializers.DecimalField(max_digits=24, decimal_places=2)


class BOMShortSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    needed = serializers.DecimalField(**QUANTITY)
    available = serializers.DecimalField(**QUANTITY)


class BOMRefusedSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    code = serializers.CharField()


class BOMReserveOutputSerializer(serializers.Serializer):
    consumed = serializers.ListField(child=serializers.IntegerField())
    short = BOMShortSerializer(many=True)
    refused = BOMRefusedSerializer(many=True)


class BOMStoreLineSerializer(serializers.Serializer):
    sku = serializers.CharField(help_text="The store SKU.")
    quantity = serializers.IntegerField()


class BOMStoreCartOutputSerializer(serializers.Serializer):
    """What went to the store for the caller's cart (delivered by the bridge after this answer)."""

    project = serializers.IntegerField()
    lines = BOMStoreLineSerializer(many=True)
