"""Invitations: create input, the staff view (never the token), and the once-only answer with ``accept_url``."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import ID, UserSummarySerializer
from makerspace.models import Invite, Member


class InviteInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Member.Role.choices, default=Member.Role.MEMBER)
    plan = serializers.IntegerField(required=False, allow_null=True, default=None, **ID)


class InviteOutputSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    invited_by = UserSummarySerializer(read_only=True, allow_null=True)
    accepted_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Invite
        fields = [
            "id",
            "makerspace",
            "email",
            "role",
            "plan",
            "status",
            "invited_by",
            "expires_at",
            "sent_count",
            "accepted_at",
            "accepted_by",
            "member",
            "revoked_at",
            "created_at",
        ]


class InviteCreatedSerializer(InviteOutputSerializer):
    """The create and resend answers: the only time the link (and so the token) is shown."""

    accept_url = serializers.CharField(read_only=True)

    class Meta(InviteOutputSerializer.Meta):
        fields = [*InviteOutputSerializer.Meta.fields, "accept_url"]
