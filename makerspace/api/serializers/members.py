"""Memberships and their history."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import MAX_ID, UserSummarySerializer
from makerspace.models import Member, MemberEvent, MemberSkill
from makrx.api import fields


class MemberEventSerializer(serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = MemberEvent
        fields = ["id", "actor", "from_status", "to_status", "from_role", "to_role", "reason", "created_at"]


class MemberOutputSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    makerspace_name = serializers.CharField(source="makerspace.name", read_only=True)
    plan_name = serializers.CharField(source="plan.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Member
        fields = [
            "id",
            "user",
            "makerspace",
            "makerspace_name",
            "role",
            "status",
            "status_reason",
            "plan",
            "plan_name",
            "joined_at",
            "created_at",
            "updated_at",
        ]


class MemberDetailSerializer(MemberOutputSerializer):
    events = MemberEventSerializer(many=True, read_only=True)

    class Meta(MemberOutputSerializer.Meta):
        fields = [*MemberOutputSerializer.Meta.fields, "events"]


class MemberRoleInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Member.Role.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class MemberSkillOutputSerializer(serializers.ModelSerializer):
    skill_name = serializers.CharField(source="skill.name", read_only=True)
    skill_level = serializers.IntegerField(source="skill.level", read_only=True)
    granted_by = UserSummarySerializer(read_only=True, allow_null=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = MemberSkill
        fields = [
            "id",
            "member",
            "skill",
            "skill_name",
            "skill_level",
            "granted_by",
            "granted_at",
            "expires_at",
            "revoked_at",
            "active",
        ]

    def get_active(self, obj) -> bool:
        return obj.is_active_at()


class MemberSkillGrantInputSerializer(serializers.Serializer):
    skill = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    expires_at = fields.DateTimeField(required=False, allow_null=True, default=None)


class MemberBulkInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "reject", "suspend", "reactivate", "assign_plan"])
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), max_length=500, allow_empty=False
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    plan = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID)


class MemberBulkOutputSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.IntegerField())
    failed = serializers.DictField(child=serializers.CharField(), help_text="member id → refusal code")


class MemberExportQuerySerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(min_value=1, max_value=MAX_ID)
