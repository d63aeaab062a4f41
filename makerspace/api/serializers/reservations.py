"""Reservations and a machine's availability for a day."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import ID, UserSummarySerializer
from makerspace.api.serializers.pricing import PriceLineSerializer
from makerspace.models import Reservation, ReservationEvent
from makrx.api import fields


class RepeatSerializer(serializers.Serializer):
    every = serializers.ChoiceField(choices=["day", "week"])
    count = serializers.IntegerField(min_value=2, max_value=52, required=False)
    until = fields.DateField(required=False, help_text="Last local date of the series (inclusive).")

    def validate(self, attrs):
        if ("count" in attrs) == ("until" in attrs):
            raise serializers.ValidationError("Give count or until (one of them).")
        return attrs


class ReservationInputSerializer(serializers.Serializer):
    equipment = serializers.IntegerField(**ID)
    starts_at = fields.DateTimeField()
    ends_at = fields.DateTimeField()
    member = serializers.IntegerField(required=False, **ID, help_text="Staff only: book for this member.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    promo_code = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    supervisor = serializers.IntegerField(
        required=False, allow_null=True, default=None, **ID, help_text="User id of a staff member of the makerspace."
    )
    emergency = serializers.BooleanField(
        required=False, default=False, help_text="Staff only: displace member bookings in the way (reason in notes)."
    )
    repeat = RepeatSerializer(
        required=False, help_text="Book a series (all dates or none): the answer is {series, reservations}."
    )


class ReservationOutputSerializer(serializers.ModelSerializer):
    equipment_name = serializers.CharField(source="equipment.name", read_only=True)
    makerspace = serializers.IntegerField(source="equipment.makerspace_id", read_only=True)
    user = UserSummarySerializer(read_only=True)
    created_by = UserSummarySerializer(read_only=True, allow_null=True)
    cancelled_by = UserSummarySerializer(read_only=True, allow_null=True)
    decided_by = UserSummarySerializer(read_only=True, allow_null=True)
    supervisor = UserSummarySerializer(read_only=True, allow_null=True)
    price_lines = PriceLineSerializer(many=True, read_only=True)

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
            "price",
            "deposit",
            "currency",
            "price_lines",
            "included_minutes",
            "supervisor",
            "emergency",
            "decided_by",
            "decided_at",
            "decision_reason",
            "series",
            "access_flagged",
            "access_warning",
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
    scope = serializers.ChoiceField(
        choices=["this", "following"],
        required=False,
        default="this",
        help_text="For an occurrence of a series: 'following' also cancels every later occurrence.",
    )


class DecisionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class SeriesOutputSerializer(serializers.Serializer):
    series = serializers.IntegerField()
    every = serializers.CharField()
    count = serializers.IntegerField()
    reservations = ReservationOutputSerializer(many=True)


class AvailabilityQuerySerializer(serializers.Serializer):
    date = fields.DateField(help_text="Local date in the makerspace's time zone (YYYY-MM-DD).")


class IntervalSerializer(serializers.Serializer):
    starts_at = fields.DateTimeField()
    ends_at = fields.DateTimeField()


class BusyIntervalSerializer(IntervalSerializer):
    kind = serializers.ChoiceField(choices=["reservation", "maintenance"])


class AvailabilitySerializer(serializers.Serializer):
    equipment = serializers.IntegerField(source="equipment.pk")
    equipment_status = serializers.CharField(source="equipment.status")
    date = fields.DateField()
    timezone = serializers.CharField()
    closed = serializers.BooleanField()
    opening = IntervalSerializer(many=True)
    busy = BusyIntervalSerializer(many=True)
    free = IntervalSerializer(many=True)


class ReservationEventSerializer(serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = ReservationEvent
        fields = ["id", "kind", "from_status", "to_status", "actor", "reason", "created_at"]
