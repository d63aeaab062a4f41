"""/skills/: anyone signed in reads; managers create and edit."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from makerspace.api.serializers.common import ErrorSerializer
from makerspace.api.serializers.skills import SkillInputSerializer, SkillOutputSerializer, SkillUpdateSerializer
from makerspace.api.views.base import MakerspaceApi, makerspace_for_write
from makerspace.permissions import require_makerspace_manager
from makerspace.selectors import skills as skill_selectors
from makerspace.services import skills as skill_services

TAGS = ["makerspace: skills"]
MAKERSPACE_PARAM = OpenApiParameter("makerspace", int, description="Only this makerspace.")


class SkillListCreateApi(MakerspaceApi):
    serializer_class = SkillOutputSerializer
    search_fields = ["name", "description"]
    ordering_fields = ["name", "level", "created_at"]

    def get_queryset(self):
        return skill_selectors.skill_list(user=self.request.user)

    @extend_schema(tags=TAGS, parameters=[MAKERSPACE_PARAM], responses=SkillOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(
            skill_selectors.skill_list(user=request.user, makerspace_id=self.makerspace_filter()), SkillOutputSerializer
        )

    @extend_schema(
        tags=TAGS,
        request=SkillInputSerializer,
        responses={201: SkillOutputSerializer, 409: OpenApiResponse(ErrorSerializer, description="duplicate")},
    )
    def post(self, request):
        serializer = SkillInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        makerspace = makerspace_for_write(request.user, data.pop("makerspace"))
        skill = skill_services.skill_create(makerspace=makerspace, **data)
        return Response(SkillOutputSerializer(skill).data, status=status.HTTP_201_CREATED)


class SkillDetailApi(MakerspaceApi):
    serializer_class = SkillOutputSerializer

    def get_queryset(self):
        return skill_selectors.skill_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=SkillOutputSerializer)
    def get(self, request, pk: int):
        return Response(SkillOutputSerializer(self.get_object()).data)

    @extend_schema(tags=TAGS, request=SkillUpdateSerializer, responses=SkillOutputSerializer)
    def patch(self, request, pk: int):
        skill = self.get_object()
        require_makerspace_manager(request.user, skill.makerspace_id)
        serializer = SkillUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        skill = skill_services.skill_update(skill=skill, **serializer.validated_data)
        return Response(SkillOutputSerializer(skill).data)
