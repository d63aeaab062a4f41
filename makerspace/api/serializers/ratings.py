"""Machine ratings."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import UserSummarySerializer
from makerspace.models import EquipmentRating


class RatingOutputSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(source="member.user", read_only=True)

    class Meta:
        model = EquipmentRating
        fields = ["id", "equipment", "member", "user", "score", "comment", "created_at", "updated_at"]


class RatingInputSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
