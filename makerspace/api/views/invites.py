"""Invitations: staff create, list, resend and revoke a makerspace's invitations; a signed-in user accepts one.

The create and resend answers carry ``accept_url`` (shown once: only the token's hash is stored).
"""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from makerspace.api.serializers.common import ErrorSerializer
from makerspace.api.serializers.invites import InviteCreatedSerializer, InviteInputSerializer, InviteOutputSerializer
from makerspace.api.serializers.members import MemberOutputSerializer
from makerspace.api.views.base import MakerspaceApi, PostOnlyAction, conflict_response
from makerspace.models import MembershipPlan
from makerspace.selectors import invites as invite_selectors
from makerspace.selectors import spaces as space_selectors
from makerspace.services import invites as invite_services
from makrx.errors import NotFound, ValidationError

TAGS = ["makerspace: invites"]
# Tokens are urlsafe base64 of 32 bytes; anything else cannot be one (not found, without a lookup).
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")
REFUSALS = OpenApiResponse(
    ErrorSerializer, description="not_makerspace_staff, not_makerspace_manager, not_makerspace_admin"
)


def _created(invite, token: str):
    invite.accept_url = invite_services.accept_url(token)
    return InviteCreatedSerializer(invite).data


class MakerspaceInviteListCreateApi(MakerspaceApi):
    serializer_class = InviteOutputSerializer
    ordering_fields = ["created_at", "expires_at", "email"]

    def get_queryset(self):
        return space_selectors.makerspace_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses={200: InviteOutputSerializer(many=True), 403: REFUSALS})
    def get(self, request, pk: int):
        makerspace = self.get_object()
        return self.paginated(
            invite_selectors.invite_list(user=request.user, makerspace=makerspace), InviteOutputSerializer
        )

    @extend_schema(
        tags=TAGS,
        request=InviteInputSerializer,
        responses={201: InviteCreatedSerializer, 403: REFUSALS, 409: conflict_response("duplicate, plan_inactive")},
        description="Invite an email address; the answer's `accept_url` (with the token) is shown this once.",
    )
    def post(self, request, pk: int):
        makerspace = self.get_object()
        serializer = InviteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = None
        if data["plan"] is not None:
            plan = MembershipPlan.objects.filter(pk=data["plan"]).first()
            if plan is None:
                raise ValidationError("Unknown plan.", errors={"plan": ["Unknown plan."]})
        invite, token = invite_services.invite_create(
            makerspace=makerspace, email=data["email"], role=data["role"], plan=plan, actor=request.user
        )
        return Response(_created(invite, token), status=status.HTTP_201_CREATED)


class _InviteActionApi(PostOnlyAction, MakerspaceApi):
    serializer_class = InviteOutputSerializer

    def get_queryset(self):
        return invite_selectors.invite_scope(user=self.request.user)


class InviteResendApi(_InviteActionApi):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: InviteCreatedSerializer, 403: REFUSALS, 409: conflict_response("invalid_transition")},
        description="A new token and a new week; the old link stops working. The new `accept_url` is shown once.",
    )
    def post(self, request, pk: int):
        invite, token = invite_services.invite_resend(invite=self.get_object(), actor=request.user)
        return Response(_created(invite, token))


class InviteRevokeApi(_InviteActionApi):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: InviteOutputSerializer, 403: REFUSALS, 409: conflict_response("invalid_transition")},
    )
    def post(self, request, pk: int):
        invite = invite_services.invite_revoke(invite=self.get_object(), actor=request.user)
        return Response(InviteOutputSerializer(invite).data)


class InviteAcceptApi(PostOnlyAction, MakerspaceApi):
    serializer_class = MemberOutputSerializer

    @extend_schema(
        tags=TAGS,
        request=None,
        responses={
            201: MemberOutputSerializer,
            404: OpenApiResponse(ErrorSerializer, description="unknown token"),
            409: conflict_response("invite_used, invite_expired, already_member, invite_plan_unavailable"),
        },
        description="The signed-in user accepts: an active membership with the invitation's role (and plan).",
    )
    def post(self, request, token: str):
        if not TOKEN_SHAPE.fullmatch(token):
            raise NotFound("This invitation does not exist.")
        member = invite_services.invite_accept(token=token, actor=request.user)
        return Response(MemberOutputSerializer(member).data, status=status.HTTP_201_CREATED)
