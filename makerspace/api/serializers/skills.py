"""Skills."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import MAX_ID
from makerspace.models import Skill


class SkillOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = ["id", "makerspace", "name", "level", "description", "created_at"]


class SkillInputSerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    name = serializers.CharField(max_length=120)
    level = serializers.IntegerField(min_value=1, max_value=100, required=False, default=1)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class SkillUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    level = serializers.IntegerField(min_value=1, max_value=100, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
