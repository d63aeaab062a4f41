"""Membership plans and subscriptions."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from makerspace.api.serializers.common import MAX_ID
from makerspace.models import Equipment, MembershipPlan, Subscription
from makrx.api import fields


class PlanOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = MembershipPlan
        fields = [
            "id",
            "makerspace",
            "name",
            "description",
            "price",
            "currency",
            "billing_period",
            "included_hours",
            "equipment_types",
            "max_reservation_minutes",
            "max_reservations_per_week",
            "allow_overage",
            "trial_days",
            "active",
            "created_at",
            "updated_at",
        ]


class PlanInputSerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)
    billing_period = serializers.ChoiceField(choices=MembershipPlan.BillingPeriod.choices, required=False)
    included_hours = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=Decimal("0"), required=False)
    equipment_types = serializers.ListField(
        child=serializers.ChoiceField(choices=Equipment.Type.choices), required=False, max_length=10
    )
    max_reservation_minutes = serializers.IntegerField(
        min_value=1, max_value=60 * 24 * 31, required=False, allow_null=True
    )
    max_reservations_per_week = serializers.IntegerField(min_value=1, max_value=1000, required=False, allow_null=True)
    allow_overage = serializers.BooleanField(required=False)
    trial_days = serializers.IntegerField(min_value=0, max_value=366, required=False)
    active = serializers.BooleanField(required=False)


class PlanUpdateSerializer(PlanInputSerializer):
    makerspace = None
    name = serializers.CharField(max_length=120, required=False)


class SubscriptionOutputSerializer(serializers.ModelSerializer):
    plan_name = serializers.CharField(source="plan.name", read_only=True)
    makerspace = serializers.IntegerField(source="member.makerspace_id", read_only=True)
    username = serializers.CharField(source="member.user.username", read_only=True)

    class Meta:
        model = Subscription
        fields = [
            "id",
            "member",
            "username",
            "makerspace",
            "plan",
            "plan_name",
            "starts_at",
            "ends_at",
            "status",
            "auto_renew",
            "renewed_from",
            "trial_ends_at",
            "cancelled_at",
            "created_at",
        ]


class SubscriptionInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    plan = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    starts_at = fields.DateTimeField(required=False, allow_null=True, default=None)
    auto_renew = serializers.BooleanField(required=False, default=False)
