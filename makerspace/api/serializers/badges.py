"""Badges and members' badges."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import MAX_ID
from makerspace.models import Badge, MemberBadge


class BadgeOutputSerializer(serializers.ModelSerializer):
    required_skills = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Badge
        fields = [
            "id",
            "makerspace",
            "name",
            "description",
            "required_skills",
            "min_completed_sessions",
            "active",
            "created_at",
        ]


def _skills_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), max_length=50, **kwargs)


class BadgeInputSerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    required_skills = _skills_field(required=False, default=list)
    min_completed_sessions = serializers.IntegerField(min_value=0, max_value=100_000, required=False, default=0)
    active = serializers.BooleanField(required=False, default=True)


class BadgeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    required_skills = _skills_field(required=False)
    min_completed_sessions = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    active = serializers.BooleanField(required=False)


class MemberBadgeOutputSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="badge.name", read_only=True)
    description = serializers.CharField(source="badge.description", read_only=True)

    class Meta:
        model = MemberBadge
        fields = ["id", "member", "badge", "name", "description", "awarded_at"]
