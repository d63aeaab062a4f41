"""Inventory items, stock movements, the low-stock list and the CSV import report."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from makerspace.api.serializers.common import ID, UserSummarySerializer
from makerspace.models import InventoryItem, StockMovement
from makrx.api import fields

QUANTITY = {"max_digits": 14, "decimal_places": 3}
# The suggestion may be twice the reorder level, one digit more than a stored quantity.
SUGGESTED = {"max_digits": 15, "decimal_places": 3}


class ItemInputSerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(**ID)
    sku = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    category = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    unit = serializers.ChoiceField(choices=InventoryItem.Unit.choices, default=InventoryItem.Unit.PIECE)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    supplier = serializers.ChoiceField(choices=InventoryItem.Supplier.choices, default=InventoryItem.Supplier.EXTERNAL)
    supplier_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), default="0.00")
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)
    reorder_level = serializers.DecimalField(**QUANTITY, min_value=Decimal("0"), default="0")
    reorder_quantity = serializers.DecimalField(**QUANTITY, min_value=Decimal("0.001"), required=False, allow_null=True)
    access_level = serializers.ChoiceField(choices=InventoryItem.Access.choices, default=InventoryItem.Access.BASIC)
    store_sku = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    quantity = serializers.DecimalField(
        **QUANTITY,
        min_value=Decimal("0"),
        required=False,
        help_text="Opening stock, recorded as a first restock movement.",
    )


class ItemUpdateSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64, required=False)
    name = serializers.CharField(max_length=200, required=False)
    category = serializers.CharField(max_length=100, required=False, allow_blank=True)
    unit = serializers.ChoiceField(choices=InventoryItem.Unit.choices, required=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    supplier = serializers.ChoiceField(choices=InventoryItem.Supplier.choices, required=False)
    supplier_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)
    reorder_level = serializers.DecimalField(**QUANTITY, min_value=Decimal("0"), required=False)
    reorder_quantity = serializers.DecimalField(**QUANTITY, min_value=Decimal("0.001"), required=False, allow_null=True)
    access_level = serializers.ChoiceField(choices=InventoryItem.Access.choices, required=False)
    store_sku = serializers.CharField(max_length=64, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class ItemOutputSerializer(serializers.ModelSerializer):
    makerspace_name = serializers.CharField(source="makerspace.name", read_only=True)
    suggested_reorder_quantity = serializers.DecimalField(**SUGGESTED, read_only=True)
    is_low = serializers.BooleanField(read_only=True)

    class Meta:
        model = InventoryItem
        fields = [
            "id",
            "makerspace",
            "makerspace_name",
            "sku",
            "name",
            "category",
            "unit",
            "location",
            "supplier",
            "supplier_name",
            "unit_cost",
            "currency",
            "quantity",
            "reorder_level",
            "reorder_quantity",
            "suggested_reorder_quantity",
            "is_low",
            "access_level",
            "store_sku",
            "active",
            "created_at",
            "updated_at",
        ]


class MovementInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=StockMovement.Kind.choices)
    quantity = serializers.DecimalField(
        max_digits=14,
        decimal_places=3,
        help_text=(
            "Positive for restock/usage/job/project/damage/transfer (the kind gives the sign); signed and non-zero "
            "for adjustment; the counted quantity for stocktake."
        ),
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    to_item = serializers.IntegerField(required=False, help_text="Transfers: the destination item.", **ID)


class MovementOutputSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku", read_only=True)
    actor = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "item",
            "sku",
            "makerspace",
            "kind",
            "quantity",
            "quantity_before",
            "quantity_after",
            "counted_quantity",
            "reason",
            "reference",
            "transfer_group",
            "actor",
            "created_at",
        ]


class MovementCreatedSerializer(serializers.Serializer):
    """201: the movement(s) written and the item's new on-hand quantity."""

    quantity = serializers.DecimalField(**QUANTITY, help_text="The item's on-hand quantity after the movement.")
    movement = MovementOutputSerializer()
    counterpart = MovementOutputSerializer(
        allow_null=True, required=False, help_text="Transfers: the destination's row."
    )


class LowStockQuerySerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(required=False, **ID)


class ReorderQuerySerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(**ID)


class LowStockItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    makerspace = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.DecimalField(**QUANTITY)
    reorder_level = serializers.DecimalField(**QUANTITY)
    suggested_reorder_quantity = serializers.DecimalField(**SUGGESTED)
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2)
    estimated_cost = serializers.DecimalField(max_digits=24, decimal_places=2)
    store_sku = serializers.CharField(allow_blank=True)
    location = serializers.CharField(allow_blank=True)


class LowStockGroupSerializer(serializers.Serializer):
    supplier = serializers.CharField()
    supplier_name = serializers.CharField(allow_blank=True)
    currency = serializers.CharField()
    estimated_total = serializers.DecimalField(max_digits=24, decimal_places=2)
    items = LowStockItemSerializer(many=True)


class LowStockOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Low items in all groups.")
    groups = LowStockGroupSerializer(many=True)


class QuickReorderLineSerializer(serializers.Serializer):
    sku = serializers.CharField(help_text="The store SKU.")
    quantity = serializers.IntegerField()
    item = serializers.IntegerField()


class ReorderOutputSerializer(serializers.Serializer):
    makerspace = serializers.IntegerField()
    lines = QuickReorderLineSerializer(many=True)


class ItemImportInputSerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(**ID)
    file = serializers.FileField(
        required=False, help_text="CSV with a header row; see docs/makerspace.md for the columns."
    )


class ItemImportOutputSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


class ExportQuerySerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(**ID)


class LedgerExportQuerySerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(**ID)
    start = fields.DateTimeField(help_text="From (inclusive), ISO 8601 with an offset.")
    end = fields.DateTimeField(help_text="To (exclusive), ISO 8601 with an offset.")

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["Must be after start."]})
        return attrs
