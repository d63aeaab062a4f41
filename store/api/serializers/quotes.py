"""Material and quote request/response shapes."""

from __future__ import annotations

from rest_framework import serializers

from makrx.api import fields
from store.models import Process


class MaterialSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    process = serializers.CharField()
    currency = serializers.CharField()
    density_g_cm3 = serializers.DecimalField(max_digits=6, decimal_places=3, allow_null=True)
    price_per_kg = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    price_per_sheet = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    sheet_width_mm = serializers.IntegerField(allow_null=True)
    sheet_height_mm = serializers.IntegerField(allow_null=True)
    thicknesses_mm = serializers.ListField(child=serializers.FloatField())
    colours = serializers.ListField(child=serializers.CharField())


class MaterialQuerySerializer(serializers.Serializer):
    process = serializers.ChoiceField(choices=Process.choices, required=False)


class QuoteOptionsSerializer(serializers.Serializer):
    """Documented options (unknown ones are refused by the service)."""

    infill = serializers.IntegerField(required=False, min_value=0, max_value=100, help_text="3D: percent, 20.")
    quality = serializers.ChoiceField(choices=["draft", "standard", "fine"], required=False)
    supports = serializers.BooleanField(required=False)
    thickness_mm = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, help_text="Laser.")
    colour = serializers.CharField(required=False, max_length=40)
    rush = serializers.BooleanField(required=False, help_text="x1.8, about half the lead time.")
    delivery_zone = serializers.ChoiceField(choices=["pickup", "local", "regional", "national"], required=False)


class QuoteInputSerializer(serializers.Serializer):
    upload = serializers.IntegerField(min_value=1)
    process = serializers.ChoiceField(choices=Process.choices)
    material = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    options = serializers.DictField(required=False, default=dict)

    def validate_options(self, value):
        # The shape is checked here (types, ranges); the service checks what depends on the material.
        checked = QuoteOptionsSerializer(data=value)
        checked.is_valid(raise_exception=True)
        return {**value, **{k: v for k, v in checked.validated_data.items() if k != "thickness_mm"}}


class BreakdownLineSerializer(serializers.Serializer):
    item = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    detail = serializers.CharField()


class QuoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    upload = serializers.IntegerField(source="upload_id")
    process = serializers.CharField()
    material = serializers.IntegerField(source="material_id")
    quantity = serializers.IntegerField()
    options = serializers.DictField()
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    delivery = serializers.DecimalField(max_digits=12, decimal_places=2)
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    tax = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    breakdown = BreakdownLineSerializer(many=True)
    estimates = serializers.DictField()
    lead_time_days = serializers.IntegerField()
    valid_until = fields.DateTimeField()
    machine_fits = serializers.BooleanField()
    machine_fits_reason = serializers.CharField()
    created_at = fields.DateTimeField()
