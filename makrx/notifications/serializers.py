"""Shapes of /api/v1/notifications/: the in-app list, read markers and per-kind channel preferences."""

from __future__ import annotations

from rest_framework import serializers

from makrx.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "priority",
            "makerspace_id",
            "subject",
            "body",
            "context",
            "created_at",
            "read_at",
            "unread",
        ]
        read_only_fields = fields

    def get_unread(self, obj) -> bool:
        return obj.read_at is None


class NotificationListQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None)


class NotificationReadAllSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text="How many notifications were marked read.")
    unread_count = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    description = serializers.CharField(read_only=True)
    priority = serializers.CharField(read_only=True, help_text="high, normal or low.")
    email = serializers.BooleanField(help_text="Email this kind.")
    in_app = serializers.BooleanField(help_text="List this kind in the in-app notifications.")
    digest = serializers.BooleanField(help_text="Low-priority kinds only: email it in the daily digest instead.")


class PreferenceChangeSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=100)
    email = serializers.BooleanField(required=False)
    in_app = serializers.BooleanField(required=False)
    digest = serializers.BooleanField(required=False)


class PreferencesSerializer(serializers.Serializer):
    preferences = PreferenceSerializer(many=True)


class PreferencesUpdateSerializer(serializers.Serializer):
    preferences = PreferenceChangeSerializer(many=True, max_length=500)
