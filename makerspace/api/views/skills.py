"""/skills/: anyone signed in lists them, members see the details, managers create and edit (checked in the service).

/skill-requests/: members ask for a skill; staff approve (grant with expiry and trainer) or reject with a reason.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from makerspace.api.filters import SkillFilter, SkillRequestFilter
from makerspace.api.serializers.common import ErrorSerializer, RequiredReasonInputSerializer
from makerspace.api.serializers.skills import (
    MemberSkillEventSerializer,
    SkillInputSerializer,
    SkillRequestApproveSerializer,
    SkillRequestInputSerializer,
    SkillRequestOutputSerializer,
    SkillUpdateSerializer,
    SkillWithPrerequisitesSerializer,
)
from makerspace.api.views.base import (
    MakerspaceApi,
    PostOnlyAction,
    conflict_response,
    makerspace_from_input,
    skill_from_input,
    skills_from_input,
)
from makerspace.selectors import members as member_selectors
from makerspace.selectors import skills as skill_selectors
from makerspace.services import skills as skill_services
from makrx.auth.scoping import IsMakerspaceMemberToRead
from makrx.errors import ValidationError

TAGS = ["makerspace: skills"]


class SkillListCreateApi(MakerspaceApi):
    serializer_class = SkillWithPrerequisitesSerializer
    search_fields = ["name", "description"]
    ordering_fields = ["name", "level", "created_at"]
    filterset_class = SkillFilter

    def get_queryset(self):
        return skill_selectors.skill_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=SkillWithPrerequisitesSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), SkillWithPrerequisitesSerializer)

    @extend_schema(
        tags=TAGS,
        request=SkillInputSerializer,
        responses={
            201: SkillWithPrerequisitesSerializer,
            400: OpenApiResponse(ErrorSerializer, description="invalid, prerequisite_cycle"),
            409: OpenApiResponse(ErrorSerializer, description="duplicate"),
        },
    )
    def post(self, request):
        serializer = SkillInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        makerspace = makerspace_from_input(data.pop("makerspace"))
        data["prerequisites"] = skills_from_input(data["prerequisites"])
        skill = skill_services.skill_create(makerspace=makerspace, actor=request.user, **data)
        return Response(
            SkillWithPrerequisitesSerializer(self.get_queryset().get(pk=skill.pk)).data, status=status.HTTP_201_CREATED
        )


class SkillDetailApi(MakerspaceApi):
    serializer_class = SkillWithPrerequisitesSerializer
    permission_classes = [IsAuthenticated, IsMakerspaceMemberToRead]

    def get_queryset(self):
        return skill_selectors.skill_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=SkillWithPrerequisitesSerializer)
    def get(self, request, pk: int):
        return Response(SkillWithPrerequisitesSerializer(self.get_object()).data)

    @extend_schema(
        tags=TAGS,
        request=SkillUpdateSerializer,
        responses={
            200: SkillWithPrerequisitesSerializer,
            400: OpenApiResponse(ErrorSerializer, description="invalid, prerequisite_cycle"),
        },
    )
    def patch(self, request, pk: int):
        skill = self.get_object()
        serializer = SkillUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "prerequisites" in data:
            data["prerequisites"] = skills_from_input(data["prerequisites"])
        skill = skill_services.skill_update(skill=skill, actor=request.user, **data)
        return Response(SkillWithPrerequisitesSerializer(self.get_queryset().get(pk=skill.pk)).data)


REQUEST_TAGS = ["makerspace: skill requests"]


class SkillRequestListCreateApi(MakerspaceApi):
    serializer_class = SkillRequestOutputSerializer
    ordering_fields = ["created_at", "status"]
    filterset_class = SkillRequestFilter

    def get_queryset(self):
        return skill_selectors.skill_request_list(user=self.request.user)

    @extend_schema(tags=REQUEST_TAGS, responses=SkillRequestOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), SkillRequestOutputSerializer)

    @extend_schema(
        tags=REQUEST_TAGS,
        request=SkillRequestInputSerializer,
        responses={
            201: SkillRequestOutputSerializer,
            403: OpenApiResponse(ErrorSerializer, description="not_makerspace_member"),
            409: conflict_response("prerequisite_missing (errors.prerequisites names them), duplicate"),
        },
    )
    def post(self, request):
        serializer = SkillRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        skill_request = skill_services.skill_request_create(
            makerspace=makerspace_from_input(data["makerspace"]),
            skill=skill_from_input(data["skill"]),
            note=data["note"],
            actor=request.user,
        )
        skill_request = self.get_queryset().get(pk=skill_request.pk)
        return Response(SkillRequestOutputSerializer(skill_request).data, status=status.HTTP_201_CREATED)


class _SkillRequestActionApi(PostOnlyAction, MakerspaceApi):
    serializer_class = SkillRequestOutputSerializer

    def get_queryset(self):
        return skill_selectors.skill_request_list(user=self.request.user)

    def render(self, skill_request):
        return Response(SkillRequestOutputSerializer(self.get_queryset().get(pk=skill_request.pk)).data)


DECISION_REFUSALS = {
    403: OpenApiResponse(ErrorSerializer, description="not_makerspace_staff, own_membership, not_makerspace_admin"),
    409: conflict_response("invalid_transition, prerequisite_missing, skill_suspended, membership_inactive"),
}


class SkillRequestApproveApi(_SkillRequestActionApi):
    @extend_schema(
        tags=REQUEST_TAGS,
        request=SkillRequestApproveSerializer,
        responses={200: SkillRequestOutputSerializer, **DECISION_REFUSALS},
    )
    def post(self, request, pk: int):
        skill_request = self.get_object()
        serializer = SkillRequestApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        trainer = None
        if data["trainer"] is not None:
            trainer = get_user_model().objects.filter(pk=data["trainer"]).first()
            if trainer is None:
                raise ValidationError("Unknown trainer.", errors={"trainer": ["Unknown user."]})
        skill_request = skill_services.skill_request_approve(
            request=skill_request, actor=request.user, expires_at=data["expires_at"], trainer=trainer
        )
        return self.render(skill_request)


class SkillRequestRejectApi(_SkillRequestActionApi):
    @extend_schema(
        tags=REQUEST_TAGS,
        request=RequiredReasonInputSerializer,
        responses={200: SkillRequestOutputSerializer, **DECISION_REFUSALS},
    )
    def post(self, request, pk: int):
        skill_request = self.get_object()
        serializer = RequiredReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        skill_request = skill_services.skill_request_reject(
            request=skill_request, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self.render(skill_request)


class MemberSkillEventListApi(MakerspaceApi):
    """A member's skill audit (grants, renewals, revokes, expiries, suspensions): the member and their space's staff."""

    serializer_class = MemberSkillEventSerializer

    def get_queryset(self):
        return member_selectors.member_list(user=self.request.user)

    @extend_schema(tags=REQUEST_TAGS, responses=MemberSkillEventSerializer(many=True))
    def get(self, request, pk: int):
        member = self.get_object()
        return self.paginated(skill_selectors.member_skill_event_list(member=member), MemberSkillEventSerializer)
