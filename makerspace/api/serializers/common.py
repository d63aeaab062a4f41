"""Shapes shared by makerspace endpoints."""

from __future__ import annotations

from rest_framework import serializers

# Ids are 64-bit: larger numbers are invalid input, not a database overflow.
MAX_ID = 2**63 - 1
ID = {"min_value": 1, "max_value": MAX_ID}


class ErrorSerializer(serializers.Serializer):
    """The platform error format (DESIGN.md §5) for documented refusals such as 409 conflicts."""

    detail = serializers.CharField()
    code = serializers.CharField()
    request_id = serializers.CharField(allow_null=True)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class RequiredReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
