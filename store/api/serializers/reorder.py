"""Reorder list request/response shapes (no business rules here)."""

from __future__ import annotations

from rest_framework import serializers

from makrx.api import fields
from store.api.serializers.cart import CartSerializer
from store.services.cart import MAX_LINE_QUANTITY
from store.services.reorder import MAX_LINES


class ReorderLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


class ReorderListCreateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=200, help_text="Required unless from_order is given.")
    lines = ReorderLineSerializer(many=True, required=False, max_length=MAX_LINES)
    from_order = serializers.CharField(
        required=False, max_length=32, help_text="Number of one of your orders: its SKUs and quantities are copied."
    )

    def validate(self, attrs):
        if ("from_order" in attrs) == ("lines" in attrs):
            raise serializers.ValidationError({"lines": ["Give either lines or from_order."]})
        if "lines" in attrs and not attrs.get("name"):
            raise serializers.ValidationError({"name": ["Required."]})
        return attrs


class ReorderListUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=200)
    lines = ReorderLineSerializer(many=True, required=False, max_length=MAX_LINES, help_text="Replaces every line.")


class ReorderListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    source_order = serializers.CharField(source="source_order.number", allow_null=True, default=None)
    lines = ReorderLineSerializer(many=True)
    created_at = fields.DateTimeField()
    updated_at = fields.DateTimeField()


class ShortLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    requested = serializers.IntegerField()
    added = serializers.IntegerField()
    available = serializers.IntegerField()
    code = serializers.CharField(help_text="out_of_stock, or the cart's refusal code.")


class ToCartLinesSerializer(serializers.Serializer):
    added = ReorderLineSerializer(many=True, help_text="Lines added in full.")
    short = ShortLineSerializer(many=True, help_text="Lines with too little stock: what was added of them.")
    unknown = serializers.ListField(child=serializers.CharField(), help_text="SKUs not sold (any more).")


class ToCartSerializer(ToCartLinesSerializer):
    cart = CartSerializer(help_text="The cart afterwards.")


class SuggestionSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product_id")
    sku = serializers.CharField(source="product__sku")
    slug = serializers.CharField(source="product__slug")
    name = serializers.CharField(source="product__name")
    active = serializers.BooleanField(source="product__active")
    order_count = serializers.IntegerField(help_text="Paid orders containing it.")
    total_quantity = serializers.IntegerField()
    usual_quantity = serializers.SerializerMethodField(help_text="Units per order, rounded.")
    first_ordered_at = fields.DateTimeField()
    last_ordered_at = fields.DateTimeField()
    interval_days = serializers.SerializerMethodField(help_text="Mean days between orders of it.")
    next_expected_at = serializers.SerializerMethodField(help_text="Last order plus the usual interval.")

    def get_usual_quantity(self, row) -> int:
        return max(1, round(row["total_quantity"] / row["order_count"]))

    def get_interval_days(self, row) -> float:
        return round(row["usual_interval"].total_seconds() / 86400, 1)

    def get_next_expected_at(self, row) -> str:
        return fields.DateTimeField().to_representation(row["last_ordered_at"] + row["usual_interval"])
