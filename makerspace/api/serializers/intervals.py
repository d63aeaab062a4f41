"""Preventive maintenance intervals."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import MAX_ID
from makerspace.models import MaintenanceInterval
from makrx.api import fields


class IntervalOutputSerializer(serializers.ModelSerializer):
    equipment_name = serializers.CharField(source="equipment.name", read_only=True)
    makerspace = serializers.IntegerField(source="equipment.makerspace_id", read_only=True)

    class Meta:
        model = MaintenanceInterval
        fields = [
            "id",
            "equipment",
            "equipment_name",
            "makerspace",
            "title",
            "every_hours",
            "every_days",
            "starts_at",
            "active",
            "created_at",
            "updated_at",
        ]


class IntervalInputSerializer(serializers.Serializer):
    equipment = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    title = serializers.CharField(max_length=200)
    every_hours = serializers.IntegerField(
        min_value=1, max_value=100_000, required=False, allow_null=True, default=None
    )
    every_days = serializers.IntegerField(min_value=1, max_value=3650, required=False, allow_null=True, default=None)
    starts_at = fields.DateTimeField(required=False, allow_null=True, default=None)


class IntervalUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    every_hours = serializers.IntegerField(min_value=1, max_value=100_000, required=False, allow_null=True)
    every_days = serializers.IntegerField(min_value=1, max_value=3650, required=False, allow_null=True)
    active = serializers.BooleanField(required=False)
