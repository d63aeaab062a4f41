"""Equipment and its status history."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from makerspace.api.serializers.common import MAX_ID, UserSummarySerializer
from makerspace.api.serializers.skills import SkillOutputSerializer
from makerspace.models import Equipment, EquipmentStatusChange
from makerspace.selectors import ratings as rating_selectors

# What anyone signed in sees of another makerspace's machine (they choose a space to join by it).
PUBLIC_FIELDS = ("id", "makerspace", "name", "slug", "equipment_type", "status")


class EquipmentOutputSerializer(serializers.ModelSerializer):
    """The full record for members and staff of the machine's makerspace; only PUBLIC_FIELDS for anyone else.

    Rows come from ``equipment_list``, which annotates ``viewer_is_member``; a row without the
    annotation is shown in full (it was loaded for someone already allowed to act on it).
    """

    required_skills = SkillOutputSerializer(many=True, read_only=True)
    photo = serializers.FileField(read_only=True, allow_null=True, use_url=True)
    rating_average = serializers.SerializerMethodField(help_text="Average member rating (1–5), null when unrated.")
    rating_count = serializers.SerializerMethodField()

    def _rating(self, instance) -> dict:
        # Rows from equipment_list carry the annotation; a machine just created or edited is read once here.
        if hasattr(instance, "rating_count"):
            return {"average": instance.rating_average, "count": instance.rating_count}
        return rating_selectors.rating_summary(equipment=instance)

    def get_rating_average(self, instance) -> float | None:
        average = self._rating(instance)["average"]
        return None if average is None else round(float(average), 2)

    def get_rating_count(self, instance) -> int:
        return self._rating(instance)["count"]

    requires_approval = serializers.SerializerMethodField()

    def get_requires_approval(self, instance) -> bool:
        """Some bookings of this machine wait for staff approval (see ``approval``)."""
        return instance.approval != Equipment.Approval.NEVER

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if getattr(instance, "viewer_is_member", True):
            return data
        return {name: data[name] for name in PUBLIC_FIELDS}

    class Meta:
        model = Equipment
        fields = [
            "id",
            "makerspace",
            "name",
            "slug",
            "equipment_type",
            "status",
            "description",
            "hourly_rate",
            "currency",
            "location",
            "specs",
            "photo",
            "required_skills",
            "rating_average",
            "rating_count",
            "approval",
            "requires_approval",
            "approval_price_threshold",
            "staffed_hours",
            "requires_supervisor",
            "skill_gate",
            "minimum_plan",
            "staffed_hours_only",
            "active",
            "created_at",
            "updated_at",
        ]


class EquipmentListItemSerializer(EquipmentOutputSerializer):
    """A row of the machine list: only PUBLIC_FIELDS are sure to be there (rows of other makerspaces)."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if name not in PUBLIC_FIELDS:
                # Documented as optional; reads are unaffected (``read_only`` only matters for input).
                field.read_only, field.required = False, False
        return fields


class EquipmentInputSerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=100, required=False)
    equipment_type = serializers.ChoiceField(choices=Equipment.Type.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    hourly_rate = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    specs = serializers.DictField(required=False)
    required_skills = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, max_length=50
    )
    photo = serializers.FileField(required=False, allow_empty_file=False)
    approval = serializers.ChoiceField(choices=Equipment.Approval.choices, required=False)
    requires_approval = serializers.BooleanField(
        required=False, help_text="Shorthand: true sets approval to 'always', false to 'never'."
    )
    approval_price_threshold = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True
    )
    staffed_hours = serializers.JSONField(required=False)
    requires_supervisor = serializers.BooleanField(required=False)
    skill_gate = serializers.ChoiceField(choices=Equipment.SkillGate.choices, required=False)
    minimum_plan = serializers.IntegerField(
        source="minimum_plan_id", min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )
    staffed_hours_only = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False)

    def validate(self, attrs):
        shorthand = attrs.pop("requires_approval", None)
        if shorthand is not None and "approval" not in attrs:
            attrs["approval"] = Equipment.Approval.ALWAYS if shorthand else Equipment.Approval.NEVER
        return attrs


class EquipmentUpdateSerializer(EquipmentInputSerializer):
    makerspace = None
    name = serializers.CharField(max_length=200, required=False)


class EquipmentStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Equipment.Status.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class EquipmentStatusChangeSerializer(serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = EquipmentStatusChange
        fields = ["id", "from_status", "to_status", "reason", "actor", "ticket", "window", "created_at"]
