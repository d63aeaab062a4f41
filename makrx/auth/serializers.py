"""Shapes of the identity endpoints."""

from __future__ import annotations

from rest_framework import serializers


class MembershipOutputSerializer(serializers.Serializer):
    makerspace = serializers.IntegerField()
    makerspace_slug = serializers.CharField(required=False, allow_blank=True)
    makerspace_name = serializers.CharField(required=False, allow_blank=True)
    role = serializers.CharField()
    status = serializers.CharField()


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    roles = serializers.ListField(child=serializers.CharField(), help_text="Effective platform roles.")
    is_staff = serializers.BooleanField()
    is_superuser = serializers.BooleanField()
    memberships = MembershipOutputSerializer(many=True)
