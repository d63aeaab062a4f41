"""Usage sessions."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import ID, UserSummarySerializer
from makerspace.models import UsageSession


class UsageStartSerializer(serializers.Serializer):
    equipment = serializers.IntegerField(**ID)
    member = serializers.IntegerField(required=False, **ID, help_text="Staff only: start for this member.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class UsageStopSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class UsageSessionOutputSerializer(serializers.ModelSerializer):
    equipment_name = serializers.CharField(source="equipment.name", read_only=True)
    makerspace = serializers.IntegerField(source="equipment.makerspace_id", read_only=True)
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = UsageSession
        fields = [
            "id",
            "equipment",
            "equipment_name",
            "makerspace",
            "user",
            "member",
            "reservation",
            "started_at",
            "ended_at",
            "duration_minutes",
            "hourly_rate",
            "amount",
            "currency",
            "notes",
            "access_flagged",
            "access_warning",
        ]
