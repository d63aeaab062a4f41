"""Maintenance tickets and windows."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import ID, UserSummarySerializer
from makerspace.models import MaintenanceTicket, MaintenanceWindow
from makrx.api import fields


class TicketInputSerializer(serializers.Serializer):
    equipment = serializers.IntegerField(**ID)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")
    priority = serializers.ChoiceField(choices=MaintenanceTicket.Priority.choices, default="medium")
    blocking = serializers.BooleanField(default=False)


class TicketUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    priority = serializers.ChoiceField(choices=MaintenanceTicket.Priority.choices, required=False)
    blocking = serializers.BooleanField(required=False)


class TicketAssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(allow_null=True, **ID)


class TicketResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=10000)


class TicketCloseSerializer(serializers.Serializer):
    resolution = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")


class TicketOutputSerializer(serializers.ModelSerializer):
    equipment_name = serializers.CharField(source="equipment.name", read_only=True)
    makerspace = serializers.IntegerField(source="equipment.makerspace_id", read_only=True)
    reported_by = UserSummarySerializer(read_only=True, allow_null=True)
    assignee = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = MaintenanceTicket
        fields = [
            "id",
            "equipment",
            "equipment_name",
            "makerspace",
            "title",
            "description",
            "priority",
            "blocking",
            "status",
            "reported_by",
            "assignee",
            "resolution",
            "resolved_at",
            "interval",
            "due_at",
            "created_at",
            "updated_at",
        ]


class WindowInputSerializer(serializers.Serializer):
    equipment = serializers.IntegerField(**ID)
    starts_at = fields.DateTimeField()
    ends_at = fields.DateTimeField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    cancel_reservations = serializers.BooleanField(
        default=False, help_text="Cancel overlapping reservations instead of refusing with reservation_conflict."
    )


class WindowOutputSerializer(serializers.ModelSerializer):
    equipment_name = serializers.CharField(source="equipment.name", read_only=True)
    makerspace = serializers.IntegerField(source="equipment.makerspace_id", read_only=True)
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = MaintenanceWindow
        fields = [
            "id",
            "equipment",
            "equipment_name",
            "makerspace",
            "starts_at",
            "ends_at",
            "reason",
            "created_by",
            "cancelled_at",
            "created_at",
        ]
