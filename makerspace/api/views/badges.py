"""/badges/: the makerspace's badges (managers define them) and /members/{id}/badges/: what a member earned."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from makerspace.api.filters import BadgeFilter
from makerspace.api.serializers.badges import (
    BadgeInputSerializer,
    BadgeOutputSerializer,
    BadgeUpdateSerializer,
    MemberBadgeOutputSerializer,
)
from makerspace.api.serializers.common import ErrorSerializer
from makerspace.api.views.base import FeatureSwitched, MakerspaceApi, makerspace_from_input, skills_from_input
from makerspace.selectors import badges as badge_selectors
from makerspace.selectors import members as member_selectors
from makerspace.services import badges as badge_services
from makrx.auth.scoping import IsMakerspaceMemberToRead

TAGS = ["makerspace: badges"]


def _skills(data: dict) -> dict:
    if "required_skills" in data:
        data["required_skills"] = skills_from_input(data["required_skills"])
    return data


class BadgeListCreateApi(FeatureSwitched, MakerspaceApi):
    feature = "badges"
    serializer_class = BadgeOutputSerializer
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at"]
    filterset_class = BadgeFilter

    def get_queryset(self):
        return badge_selectors.badge_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=BadgeOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), BadgeOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=BadgeInputSerializer,
        responses={201: BadgeOutputSerializer, 409: OpenApiResponse(ErrorSerializer, description="duplicate")},
    )
    def post(self, request):
        serializer = BadgeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = _skills(dict(serializer.validated_data))
        makerspace = makerspace_from_input(data.pop("makerspace"))
        self.feature_check(makerspace.pk)
        badge = badge_services.badge_create(makerspace=makerspace, actor=request.user, **data)
        return Response(
            BadgeOutputSerializer(self.get_queryset().get(pk=badge.pk)).data, status=status.HTTP_201_CREATED
        )


class BadgeDetailApi(FeatureSwitched, MakerspaceApi):
    feature = "badges"
    serializer_class = BadgeOutputSerializer
    permission_classes = [IsAuthenticated, IsMakerspaceMemberToRead]

    def get_queryset(self):
        return badge_selectors.badge_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=BadgeOutputSerializer)
    def get(self, request, pk: int):
        return Response(BadgeOutputSerializer(self.get_object()).data)

    @extend_schema(tags=TAGS, request=BadgeUpdateSerializer, responses=BadgeOutputSerializer)
    def patch(self, request, pk: int):
        badge = self.get_object()
        serializer = BadgeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        badge = badge_services.badge_update(badge=badge, actor=request.user, **_skills(dict(serializer.validated_data)))
        return Response(BadgeOutputSerializer(self.get_queryset().get(pk=badge.pk)).data)


class MemberBadgeListApi(FeatureSwitched, MakerspaceApi):
    feature = "badges"
    """The badges one member holds: the member themselves and staff of the makerspace."""

    serializer_class = MemberBadgeOutputSerializer

    def get_queryset(self):
        return member_selectors.member_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=MemberBadgeOutputSerializer(many=True))
    def get(self, request, pk: int):
        return self.paginated(badge_selectors.member_badge_list(member=self.get_object()), MemberBadgeOutputSerializer)
