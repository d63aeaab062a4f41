"""Shapes of a makerspace's settings: the record, its partial edit, and the export/import document."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from makerspace.models import Equipment, SpaceSettings
from makerspace.services.space_settings import APPROVAL_MODES, EXPORT_FORMAT, EXPORT_VERSION, FIELDS


class SpaceSettingsOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpaceSettings
        fields = ["makerspace", *FIELDS, "updated_at"]
        read_only_fields = fields


class SpaceSettingsInputSerializer(serializers.Serializer):
    """A partial edit: any subset of the settings; unknown keys are refused (the service checks the values too)."""

    min_booking_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False)
    max_booking_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False)
    lead_time_minutes = serializers.IntegerField(min_value=0, max_value=60 * 24 * 90, required=False)
    booking_horizon_days = serializers.IntegerField(min_value=1, max_value=3 * 366, required=False)
    cancel_cutoff_minutes = serializers.IntegerField(min_value=0, max_value=60 * 24 * 30, required=False)
    default_approval = serializers.ChoiceField(choices=list(APPROVAL_MODES), required=False)
    tax_rate_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"), required=False
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)
    accepts_service_jobs = serializers.BooleanField(required=False)
    service_capabilities = serializers.ListField(
        child=serializers.ChoiceField(choices=Equipment.Type.choices), required=False, max_length=10
    )
    waitlist_enabled = serializers.BooleanField(required=False)
    ratings_enabled = serializers.BooleanField(required=False)
    badges_enabled = serializers.BooleanField(required=False)
    projects_enabled = serializers.BooleanField(required=False)
    inventory_enabled = serializers.BooleanField(required=False)

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields) if isinstance(self.initial_data, dict) else set()
        if unknown:
            raise serializers.ValidationError({str(name)[:100]: ["Unknown setting."] for name in unknown})
        return attrs


class SpaceSettingsDocumentSerializer(serializers.Serializer):
    """The export document; an import posts the same document back (every setting checked, all or nothing)."""

    format = serializers.ChoiceField(choices=[EXPORT_FORMAT])
    version = serializers.ChoiceField(choices=[EXPORT_VERSION])
    settings = SpaceSettingsInputSerializer()
