"""Safety incidents (staff only)."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import MAX_ID, UserSummarySerializer
from makerspace.models import SafetyIncident
from makrx.api import fields


class IncidentOutputSerializer(serializers.ModelSerializer):
    reported_by = UserSummarySerializer(read_only=True, allow_null=True)
    equipment_name = serializers.CharField(source="equipment.name", read_only=True)
    suspended_grants = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = SafetyIncident
        fields = [
            "id",
            "makerspace",
            "equipment",
            "equipment_name",
            "member",
            "reported_by",
            "occurred_at",
            "severity",
            "description",
            "actions_taken",
            "status",
            "closed_at",
            "suspended_grants",
            "created_at",
            "updated_at",
        ]


class IncidentInputSerializer(serializers.Serializer):
    equipment = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    member = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)
    severity = serializers.ChoiceField(choices=SafetyIncident.Severity.choices)
    description = serializers.CharField(max_length=10_000)
    actions_taken = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    occurred_at = fields.DateTimeField(required=False, allow_null=True, default=None)
    suspend_skills = serializers.BooleanField(
        required=False, default=False, help_text="Severe incidents naming a member: hold their skills for this machine."
    )


class IncidentUpdateSerializer(serializers.Serializer):
    severity = serializers.ChoiceField(choices=SafetyIncident.Severity.choices, required=False)
    description = serializers.CharField(max_length=10_000, required=False)
    actions_taken = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    occurred_at = fields.DateTimeField(required=False)


class IncidentCloseSerializer(serializers.Serializer):
    actions_taken = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    reinstate_skills = serializers.BooleanField(required=False, default=False)
