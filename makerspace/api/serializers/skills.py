"""Skills."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import MAX_ID, UserSummarySerializer
from makerspace.models import MemberSkillEvent, Skill, SkillRequest
from makrx.api import fields


def prerequisites_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=50,
        help_text="Ids of skills of the same makerspace a member must hold first (no cycles).",
        **kwargs,
    )


class SkillOutputSerializer(serializers.ModelSerializer):
    """A skill as other resources nest it (a machine's required skills)."""

    class Meta:
        model = Skill
        fields = ["id", "makerspace", "name", "level", "description", "created_at"]


class SkillWithPrerequisitesSerializer(SkillOutputSerializer):
    """A skill as /skills/ shows it: with its prerequisites' ids (prefetched by the selector)."""

    prerequisites = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(SkillOutputSerializer.Meta):
        fields = [*SkillOutputSerializer.Meta.fields, "prerequisites"]


class SkillInputSerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    name = serializers.CharField(max_length=120)
    level = serializers.IntegerField(min_value=1, max_value=100, required=False, default=1)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    prerequisites = prerequisites_field(required=False, default=list)


class SkillUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    level = serializers.IntegerField(min_value=1, max_value=100, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    prerequisites = prerequisites_field(required=False)


class SkillRequestInputSerializer(serializers.Serializer):
    skill = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    makerspace = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class SkillRequestApproveSerializer(serializers.Serializer):
    expires_at = fields.DateTimeField(required=False, allow_null=True, default=None)
    trainer = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID, help_text="User id; default you."
    )


class SkillRequestOutputSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(source="member.user", read_only=True)
    makerspace = serializers.IntegerField(source="member.makerspace_id", read_only=True)
    skill_name = serializers.CharField(source="skill.name", read_only=True)
    skill_level = serializers.IntegerField(source="skill.level", read_only=True)
    decided_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = SkillRequest
        fields = [
            "id",
            "member",
            "user",
            "makerspace",
            "skill",
            "skill_name",
            "skill_level",
            "note",
            "status",
            "decided_by",
            "decided_at",
            "reason",
            "grant",
            "created_at",
        ]


class MemberSkillEventSerializer(serializers.ModelSerializer):
    """One row of a member's skill audit."""

    skill_name = serializers.CharField(source="skill.name", read_only=True)
    skill_level = serializers.IntegerField(source="skill.level", read_only=True)
    actor = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = MemberSkillEvent
        fields = [
            "id",
            "member",
            "skill",
            "skill_name",
            "skill_level",
            "grant",
            "action",
            "actor",
            "expires_at",
            "reason",
            "created_at",
        ]
