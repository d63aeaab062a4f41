"""Service provider profiles and their capabilities."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from makerspace.api.serializers.common import ID, UserSummarySerializer
from makerspace.models import ProviderCapability, ServiceProvider


class CapabilitySerializer(serializers.Serializer):
    process = serializers.ChoiceField(choices=ProviderCapability.Process.choices)
    materials = serializers.ListField(
        child=serializers.CharField(max_length=30), max_length=30, required=False, default=list
    )
    bed_x_mm = serializers.IntegerField(min_value=1, max_value=100000, required=False, allow_null=True)
    bed_y_mm = serializers.IntegerField(min_value=1, max_value=100000, required=False, allow_null=True)
    bed_z_mm = serializers.IntegerField(min_value=1, max_value=100000, required=False, allow_null=True)


class CapabilityOutputSerializer(serializers.ModelSerializer):
    materials = serializers.ListField(source="material_list", child=serializers.CharField(), read_only=True)

    class Meta:
        model = ProviderCapability
        fields = ["process", "materials", "bed_x_mm", "bed_y_mm", "bed_z_mm"]


class ProviderInputSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=200)
    bio = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    makerspaces = serializers.ListField(
        child=serializers.IntegerField(**ID), max_length=50, required=False, default=list
    )
    hourly_rate = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)
    available = serializers.BooleanField(default=True)
    availability_note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    capabilities = CapabilitySerializer(many=True, required=False, default=list)


class ProviderOutputSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    makerspaces = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    capabilities = CapabilityOutputSerializer(many=True, read_only=True)
    verified = serializers.SerializerMethodField()

    class Meta:
        model = ServiceProvider
        fields = [
            "id",
            "user",
            "display_name",
            "bio",
            "makerspaces",
            "hourly_rate",
            "currency",
            "available",
            "availability_note",
            "rating",
            "rating_count",
            "capabilities",
            "verified",
            "verified_at",
            "created_at",
        ]

    def get_verified(self, obj) -> bool:
        return obj.verified_at is not None


class ProviderQuerySerializer(serializers.Serializer):
    capability = serializers.ChoiceField(choices=ProviderCapability.Process.choices, required=False)
    material = serializers.CharField(max_length=30, required=False)
    makerspace = serializers.IntegerField(required=False, **ID)


class VerifyInputSerializer(serializers.Serializer):
    verified = serializers.BooleanField(default=True)


class ProviderMeOutputSerializer(serializers.Serializer):
    provider = ProviderOutputSerializer(allow_null=True, help_text="Null until you create your profile (PUT).")
