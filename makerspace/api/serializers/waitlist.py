"""Waiting-list entries."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import ID, UserSummarySerializer
from makerspace.models import WaitlistEntry
from makrx.api import fields


class WaitlistInputSerializer(serializers.Serializer):
    equipment = serializers.IntegerField(**ID)
    starts_at = fields.DateTimeField()
    ends_at = fields.DateTimeField()


class WaitlistOutputSerializer(serializers.ModelSerializer):
    equipment_name = serializers.CharField(source="equipment.name", read_only=True)
    makerspace = serializers.IntegerField(source="equipment.makerspace_id", read_only=True)
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = WaitlistEntry
        fields = [
            "id",
            "equipment",
            "equipment_name",
            "makerspace",
            "user",
            "starts_at",
            "ends_at",
            "status",
            "offered_at",
            "offer_expires_at",
            "reservation",
            "created_at",
        ]
