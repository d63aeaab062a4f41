"""Cost rules, promo codes and a machine's price quote."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from makerspace.api.serializers.common import ID
from makerspace.models import CostRule, Equipment, PromoCode
from makerspace.services.pricing import RULE_FIELDS
from makrx.api import fields

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}


class CostRuleOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CostRule
        # The writable fields are the service's (one list); the serializer adds identity and timestamps.
        fields = ["id", "makerspace", *RULE_FIELDS, "created_at", "updated_at"]


class TierSerializer(serializers.Serializer):
    up_to_hours = serializers.DecimalField(
        max_digits=7, decimal_places=2, min_value=Decimal("0.01"), allow_null=True, required=False, default=None
    )
    rate = serializers.DecimalField(**MONEY)


class CostRuleInputSerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(**ID)
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=CostRule.Kind.choices)
    priority = serializers.IntegerField(min_value=0, max_value=100000, required=False)
    active = serializers.BooleanField(required=False)
    equipment = serializers.IntegerField(required=False, allow_null=True, **ID)
    equipment_type = serializers.ChoiceField(choices=[("", "any"), *Equipment.Type.choices], required=False)
    amount = serializers.DecimalField(required=False, allow_null=True, **MONEY)
    percent = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("10000"),
        required=False,
        allow_null=True,
    )
    tiers = TierSerializer(many=True, required=False, max_length=20)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), required=False, max_length=7
    )
    start_time = serializers.TimeField(required=False, allow_null=True)
    end_time = serializers.TimeField(required=False, allow_null=True)
    plan = serializers.IntegerField(required=False, allow_null=True, **ID)
    skill = serializers.IntegerField(required=False, allow_null=True, **ID)


class CostRuleUpdateSerializer(CostRuleInputSerializer):
    makerspace = None
    name = serializers.CharField(max_length=120, required=False)
    kind = serializers.ChoiceField(choices=CostRule.Kind.choices, required=False)


class PromoCodeOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = PromoCode
        fields = [
            "id",
            "makerspace",
            "code",
            "kind",
            "value",
            "valid_from",
            "valid_until",
            "max_redemptions",
            "redemptions",
            "active",
            "created_at",
        ]


class PromoCodeInputSerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(**ID)
    code = serializers.CharField(max_length=40)
    kind = serializers.ChoiceField(choices=PromoCode.Kind.choices)
    value = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    valid_from = fields.DateTimeField(required=False, allow_null=True)
    valid_until = fields.DateTimeField(required=False, allow_null=True)
    max_redemptions = serializers.IntegerField(min_value=1, max_value=10**9, required=False, allow_null=True)
    active = serializers.BooleanField(required=False)


class PriceQuerySerializer(serializers.Serializer):
    starts_at = fields.DateTimeField()
    ends_at = fields.DateTimeField()
    promo_code = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")

    def validate(self, attrs):
        span = attrs["ends_at"] - attrs["starts_at"]
        if span.total_seconds() <= 0:
            raise serializers.ValidationError({"ends_at": ["Must be after starts_at."]})
        if span.days > 31:
            raise serializers.ValidationError({"ends_at": ["A quote covers at most 31 days."]})
        return attrs


class PriceLineSerializer(serializers.Serializer):
    rule = serializers.IntegerField(allow_null=True)
    description = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class PriceSerializer(serializers.Serializer):
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    deposit = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    included_minutes = serializers.IntegerField()
    billable_minutes = serializers.IntegerField()
    lines = PriceLineSerializer(many=True)
