"""Calendar feed tokens."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.models import CalendarToken


class CalendarTokenSerializer(serializers.ModelSerializer):
    reservations_url = serializers.SerializerMethodField()

    class Meta:
        model = CalendarToken
        fields = ["token", "reservations_url", "rotated_at", "created_at"]

    def get_reservations_url(self, obj) -> str:
        path = f"/api/v1/makerspace/calendar/{obj.token}/reservations.ics"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
