"""Makerspaces, opening hours, closures, join."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from makerspace.models import Closure, Makerspace, OpeningHours
from makerspace.models.spaces import validate_timezone


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$", "example": "09:00:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the makerspace's own zone (``HH:MM[:SS]``, no offset).

    OpenAPI's ``format: time`` is RFC 3339 ``full-time``, which requires an offset; an opening hour has none.
    """


class OpeningHoursSerializer(serializers.ModelSerializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Monday … 6 = Sunday")
    opens = LocalTimeField()
    closes = LocalTimeField()

    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]


class OpeningHoursInputSerializer(serializers.Serializer):
    intervals = OpeningHoursSerializer(many=True, allow_empty=True)


class ClosureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Closure
        fields = ["id", "starts_on", "ends_on", "reason"]
        read_only_fields = ["id"]


class MakerspaceOutputSerializer(serializers.ModelSerializer):
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)
    closures = ClosureSerializer(many=True, read_only=True)

    class Meta:
        model = Makerspace
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "timezone",
            "address",
            "contact_email",
            "contact_phone",
            "join_policy",
            "active",
            "opening_hours",
            "closures",
            "created_at",
            "updated_at",
        ]


class MakerspaceInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=100, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    timezone = serializers.CharField(max_length=64, required=False, validators=[validate_timezone])
    address = serializers.CharField(required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    join_policy = serializers.ChoiceField(choices=Makerspace.JoinPolicy.choices, required=False)
    active = serializers.BooleanField(required=False)
