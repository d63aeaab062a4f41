"""/equipment/: anyone signed in reads active machines; managers create and edit; staff change status."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from makerspace.api.serializers.common import ErrorSerializer
from makerspace.api.serializers.equipment import (
    EquipmentInputSerializer,
    EquipmentOutputSerializer,
    EquipmentStatusChangeSerializer,
    EquipmentStatusInputSerializer,
    EquipmentUpdateSerializer,
)
from makerspace.api.views.base import MakerspaceApi, makerspace_for_write
from makerspace.models import Skill
from makerspace.permissions import require_makerspace_manager, require_makerspace_staff
from makerspace.selectors import equipment as equipment_selectors
from makerspace.services import equipment as equipment_services
from makrx.api.parsers import StrictJSONParser
from makrx.errors import ValidationError

TAGS = ["makerspace: equipment"]
MAKERSPACE_PARAM = OpenApiParameter("makerspace", int, description="Only this makerspace.")


def _skills(ids: list[int] | None) -> list[Skill] | None:
    if ids is None:
        return None
    skills = list(Skill.objects.filter(pk__in=set(ids)))
    if len(skills) != len(set(ids)):
        raise ValidationError("Unknown skill.", errors={"required_skills": ["Unknown skill."]})
    return skills


class EquipmentListCreateApi(MakerspaceApi):
    serializer_class = EquipmentOutputSerializer
    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]
    search_fields = ["name", "slug", "location", "description"]
    filterset_fields = ["equipment_type", "status", "active"]
    ordering_fields = ["name", "hourly_rate", "created_at"]

    def get_queryset(self):
        return equipment_selectors.equipment_list(user=self.request.user)

    @extend_schema(tags=TAGS, parameters=[MAKERSPACE_PARAM], responses=EquipmentOutputSerializer(many=True))
    def get(self, request):
        queryset = equipment_selectors.equipment_list(user=request.user, makerspace_id=self.makerspace_filter())
        return self.paginated(queryset, EquipmentOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request={"application/json": EquipmentInputSerializer, "multipart/form-data": EquipmentInputSerializer},
        responses={201: EquipmentOutputSerializer, 409: OpenApiResponse(ErrorSerializer, description="duplicate")},
    )
    def post(self, request):
        serializer = EquipmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        makerspace = makerspace_for_write(request.user, data.pop("makerspace"))
        skills = _skills(data.pop("required_skills", None))
        equipment = equipment_services.equipment_create(
            makerspace=makerspace, required_skills=skills, actor=request.user, **data
        )
        return Response(
            EquipmentOutputSerializer(self.get_queryset().get(pk=equipment.pk), context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class EquipmentDetailApi(MakerspaceApi):
    serializer_class = EquipmentOutputSerializer
    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return equipment_selectors.equipment_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=EquipmentOutputSerializer)
    def get(self, request, pk: int):
        return Response(EquipmentOutputSerializer(self.get_object(), context={"request": request}).data)

    @extend_schema(
        tags=TAGS,
        request={"application/json": EquipmentUpdateSerializer, "multipart/form-data": EquipmentUpdateSerializer},
        responses=EquipmentOutputSerializer,
    )
    def patch(self, request, pk: int):
        equipment = self.get_object()
        require_makerspace_manager(request.user, equipment.makerspace_id)
        serializer = EquipmentUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        skills = _skills(data.pop("required_skills", None))
        equipment_services.equipment_update(equipment=equipment, required_skills=skills, **data)
        equipment = self.get_queryset().get(pk=equipment.pk)
        return Response(EquipmentOutputSerializer(equipment, context={"request": request}).data)


class EquipmentStatusApi(MakerspaceApi):
    """Set a machine's status by hand (staff of its makerspace); the change is kept in its history."""

    serializer_class = EquipmentStatusChangeSerializer

    def get_queryset(self):
        return equipment_selectors.equipment_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=EquipmentStatusChangeSerializer(many=True))
    def get(self, request, pk: int):
        return self.paginated(
            equipment_selectors.equipment_status_history(equipment=self.get_object()), EquipmentStatusChangeSerializer
        )

    @extend_schema(tags=TAGS, request=EquipmentStatusInputSerializer, responses=EquipmentOutputSerializer)
    def post(self, request, pk: int):
        equipment = self.get_object()
        require_makerspace_staff(request.user, equipment.makerspace_id)
        serializer = EquipmentStatusInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        equipment_services.equipment_status_change(
            equipment=equipment,
            to_status=serializer.validated_data["status"],
            reason=serializer.validated_data["reason"],
            actor=request.user,
        )
        equipment = self.get_queryset().get(pk=equipment.pk)
        return Response(EquipmentOutputSerializer(equipment, context={"request": request}).data)
