"""Reservations, availability, calendar tokens, maintenance tickets and windows, usage sessions."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from makerspace.api.serializers.common import MAX_ID, UserSummarySerializer
from makerspace.models import CalendarToken, MaintenanceTicket, MaintenanceWindow, Reservation, UsageSession


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 datetime that must carry an offset or ``Z`` (naive times are ambiguous across time zones)."""

    default_error_messages = {"naive": "Give a UTC offset or Z (for example 2026-11-23T10:00:00+05:30)."}

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


ID = {"min_value": 1, "max_value": MAX_ID}


# --- reservations ---------------------------------------------------------------------------------


class ReservationInputSerializer(serializers.Serializer):
    equipment = serializers.IntegerField(**ID)
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField()
    member = serializers.IntegerField(required=False, **ID, help_text="Staff only: book for this member.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReservationFilterSerializer(serializers.Serializer):
    equipment = serializers.IntegerField(required=False, **ID)
    makerspace = serializers.IntegerField(required=False, **ID)
    status = serializers.ChoiceField(choices=Reservation.Status.choices, required=False)
    starts_after = AwareDateTimeField(required=False, help_text="Reservations still running after this time.")
    starts_before = AwareDateTimeField(required=False, help_text="Reservations starting before this time.")


class ReservationOutputSerializer(serializers.ModelSerializer):
    equipment_name = serializers.CharField(source="equipment.name", read_only=True)
    makerspace = serializers.IntegerField(source="equipment.makerspace_id", read_only=True)
    user = UserSummarySerializer(read_only=True)
    created_by = UserSummarySerializer(read_only=True, allow_null=True)
    cancelled_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Reservation
        fields = [
            "id",
            "equipment",
            "equipment_name",
            "makerspace",
            "user",
            "member",
            "starts_at",
            "ends_at",
            "status",
            "notes",
            "created_by",
            "cancelled_by",
            "cancel_reason",
            "cancelled_at",
            "checked_in_at",
            "completed_at",
            "created_at",
            "updated_at",
        ]


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


# --- availability ---------------------------------------------------------------------------------


class AvailabilityQuerySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="Local date in the makerspace's time zone (YYYY-MM-DD).")

    def validate_date(self, value):
        # The day's bounds (next midnight, UTC offsets) must stay inside datetime's range.
        if not 2 <= value.year <= 9998:
            raise serializers.ValidationError("Date out of range.")
        return value


class IntervalSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class BusyIntervalSerializer(IntervalSerializer):
    kind = serializers.ChoiceField(choices=["reservation", "maintenance"])


class AvailabilitySerializer(serializers.Serializer):
    equipment = serializers.IntegerField(source="equipment.pk")
    equipment_status = serializers.CharField(source="equipment.status")
    date = serializers.DateField()
    timezone = serializers.CharField()
    closed = serializers.BooleanField()
    opening = IntervalSerializer(many=True)
    busy = BusyIntervalSerializer(many=True)
    free = IntervalSerializer(many=True)


# --- calendar -------------------------------------------------------------------------------------


class CalendarTokenSerializer(serializers.ModelSerializer):
    reservations_url = serializers.SerializerMethodField()

    class Meta:
        model = CalendarToken
        fields = ["token", "reservations_url", "rotated_at", "created_at"]

    def get_reservations_url(self, obj) -> str:
        path = f"/api/v1/makerspace/calendar/{obj.token}/reservations.ics"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


# --- maintenance ----------------------------------------------------------------------------------


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


class TicketFilterSerializer(serializers.Serializer):
    equipment = serializers.IntegerField(required=False, **ID)
    status = serializers.ChoiceField(choices=MaintenanceTicket.Status.choices, required=False)


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
            "created_at",
            "updated_at",
        ]


class WindowInputSerializer(serializers.Serializer):
    equipment = serializers.IntegerField(**ID)
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    cancel_reservations = serializers.BooleanField(
        default=False, help_text="Cancel overlapping reservations instead of refusing with reservation_conflict."
    )


class EquipmentFilterSerializer(serializers.Serializer):
    equipment = serializers.IntegerField(required=False, **ID)


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


# --- usage ----------------------------------------------------------------------------------------


class UsageStartSerializer(serializers.Serializer):
    equipment = serializers.IntegerField(**ID)
    member = serializers.IntegerField(required=False, **ID, help_text="Staff only: start for this member.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class UsageStopSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class UsageFilterSerializer(serializers.Serializer):
    equipment = serializers.IntegerField(required=False, **ID)
    open = serializers.BooleanField(required=False, default=False)


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
        ]
