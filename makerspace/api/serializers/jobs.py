"""Service jobs: list and detail (with the timeline) and the inputs of their actions."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from makerspace.api.serializers.common import ID, UserSummarySerializer
from makerspace.models import ServiceJob, ServiceJobEvent


class JobCustomerSerializer(serializers.Serializer):
    name = serializers.CharField(source="customer_name")
    email = serializers.CharField(source="customer_email")


class JobProviderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class JobMachineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    equipment_type = serializers.CharField()


class JobOutputSerializer(serializers.ModelSerializer):
    customer = JobCustomerSerializer(source="*", read_only=True)
    provider = JobProviderSerializer(read_only=True, allow_null=True)
    machine = JobMachineSerializer(read_only=True, allow_null=True)
    makerspace_name = serializers.CharField(source="makerspace.name", read_only=True)

    class Meta:
        model = ServiceJob
        fields = [
            "id",
            "makerspace",
            "makerspace_name",
            "source",
            "external_order_id",
            "title",
            "description",
            "file_url",
            "material",
            "material_item",
            "quantity",
            "price",
            "currency",
            "customer",
            "requirements",
            "delivery",
            "priority",
            "provider",
            "machine",
            "status",
            "status_note",
            "tracking",
            "received_at",
            "accepted_at",
            "started_at",
            "completed_at",
            "shipped_at",
            "rejected_at",
            "cancelled_at",
        ]


class JobEventSerializer(serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = ServiceJobEvent
        fields = ["id", "from_status", "to_status", "actor", "note", "data", "at"]


class JobDetailSerializer(JobOutputSerializer):
    events = JobEventSerializer(many=True, read_only=True)

    class Meta(JobOutputSerializer.Meta):
        fields = [*JobOutputSerializer.Meta.fields, "events"]


class JobAcceptInputSerializer(serializers.Serializer):
    provider = serializers.IntegerField(required=False, allow_null=True, **ID)
    machine = serializers.IntegerField(required=False, allow_null=True, **ID)


class JobStartInputSerializer(serializers.Serializer):
    machine = serializers.IntegerField(required=False, allow_null=True, **ID)


class JobMaterialSerializer(serializers.Serializer):
    item = serializers.IntegerField(**ID)
    quantity = serializers.DecimalField(
        max_digits=14, decimal_places=3, min_value=Decimal("0.001"), max_value=Decimal("99999999999.999")
    )


class JobCompleteInputSerializer(serializers.Serializer):
    materials = JobMaterialSerializer(
        many=True,
        required=False,
        max_length=50,
        help_text="What was consumed; omitted: the matched material by the estimated weight; []: nothing.",
    )


class JobShipInputSerializer(serializers.Serializer):
    tracking = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
