"""/skills/: anyone signed in lists them, members see the details, managers create and edit (checked in the service)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from makerspace.api.filters import SkillFilter
from makerspace.api.serializers.common import ErrorSerializer
from makerspace.api.serializers.skills import SkillInputSerializer, SkillOutputSerializer, SkillUpdateSerializer
from makerspace.api.views.base import MakerspaceApi, makerspace_from_input
from makerspace.selectors import skills as skill_selectors
from makerspace.services import skills as skill_services
from makrx.auth.scoping import IsMakerspaceMemberToRead

TAGS = ["makerspace: skills"]


class SkillListCreateApi(MakerspaceApi):
    serializer_class = SkillOutputSerializer
    search_fields = ["name", "description"]
    ordering_fields = ["name", "level", "created_at"]
    filterset_class = SkillFilter

    def get_queryset(self):
        return skill_selectors.skill_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=SkillOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), SkillOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=SkillInputSerializer,
        responses={201: SkillOutputSerializer, 409: OpenApiResponse(ErrorSerializer, description="duplicate")},
    )
    def post(self, request):
        serializer = SkillInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        makerspace = makerspace_from_input(data.pop("makerspace"))
        skill = skill_services.skill_create(makerspace=makerspace, actor=request.user, **data)
        return Response(SkillOutputSerializer(skill).data, status=status.HTTP_201_CREATED)


class SkillDetailApi(MakerspaceApi):
    serializer_class = SkillOutputSerializer
    permission_classes = [IsAuthenticated, IsMakerspaceMemberToRead]

    def get_queryset(self):
        return skill_selectors.skill_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=SkillOutputSerializer)
    def get(self, request, pk: int):
        return Response(SkillOutputSerializer(self.get_object()).data)

    @extend_schema(tags=TAGS, request=SkillUpdateSerializer, responses=SkillOutputSerializer)
    def patch(self, request, pk: int):
        skill = self.get_object()
        serializer = SkillUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        skill = skill_services.skill_update(skill=skill, actor=request.user, **serializer.validated_data)
        return Response(SkillOutputSerializer(skill).data)
