"""/equipment/: the machines' public facts for everyone signed in; details and live status for that space's members.

Managers create and edit machines, staff change their status: the services check who acts.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from makerspace.api.filters import EquipmentFilter
from makerspace.api.serializers.common import ErrorSerializer
from makerspace.api.serializers.equipment import (
    EquipmentInputSerializer,
    EquipmentListItemSerializer,
    EquipmentOutputSerializer,
    EquipmentStatusChangeSerializer,
    EquipmentStatusInputSerializer,
    EquipmentUpdateSerializer,
)
from makerspace.api.views.base import MakerspaceApi, makerspace_from_input
from makerspace.models import Skill
from makerspace.selectors import equipment as equipment_selectors
from makerspace.services import equipment as equipment_services
from makrx.api.parsers import StrictJSONParser
from makrx.auth.scoping import IsMakerspaceMemberToRead
from makrx.errors import ValidationError

TAGS = ["makerspace: equipment"]
MEMBERS_ONLY = OpenApiResponse(ErrorSerializer, description="not_makerspace_member")


def _skills(ids: list[int] | None) -> list[Skill] | None:
    if ids is None:
        return None
    skills = list(Skill.objects.filter(pk__in=set(ids)))
    if len(skills) != len(set(ids)):
        raise ValidationError("Unknown skill.", errors={"required_skills": ["Unknown skill."]})
    return skills


class EquipmentListCreateApi(MakerspaceApi):
    """Rows of makerspaces the user does not belong to carry only the public fields (name, type, status)."""

    serializer_class = EquipmentOutputSerializer
    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]
    search_fields = ["name", "slug", "location", "description"]
    filterset_class = EquipmentFilter
    ordering_fields = ["name", "hourly_rate", "created_at"]

    def get_queryset(self):
        return equipment_selectors.equipment_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=EquipmentListItemSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), EquipmentListItemSerializer)

    @extend_schema(
        tags=TAGS,
        request={"application/json": EquipmentInputSerializer, "multipart/form-data": EquipmentInputSerializer},
        responses={201: EquipmentOutputSerializer, 409: OpenApiResponse(ErrorSerializer, description="duplicate")},
    )
    def post(self, request):
        serializer = EquipmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        makerspace = makerspace_from_input(data.pop("makerspace"))
        skills = _skills(data.pop("required_skills", None))
        equipment = equipment_services.equipment_create(
            makerspace=makerspace, required_skills=skills, actor=request.user, **data
        )
        return Response(
            EquipmentOutputSerializer(self.get_queryset().get(pk=equipment.pk), context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class EquipmentDetailApi(MakerspaceApi):
    """A machine's full record: members and staff of its makerspace (others: 403 ``not_makerspace_member``)."""

    serializer_class = EquipmentOutputSerializer
    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]
    permission_classes = [IsAuthenticated, IsMakerspaceMemberToRead]

    def get_queryset(self):
        return equipment_selectors.equipment_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses={200: EquipmentOutputSerializer, 403: MEMBERS_ONLY})
    def get(self, request, pk: int):
        return Response(EquipmentOutputSerializer(self.get_object(), context={"request": request}).data)

    @extend_schema(
        tags=TAGS,
        request={"application/json": EquipmentUpdateSerializer, "multipart/form-data": EquipmentUpdateSerializer},
        responses=EquipmentOutputSerializer,
    )
    def patch(self, request, pk: int):
        equipment = self.get_object()
        serializer = EquipmentUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        skills = _skills(data.pop("required_skills", None))
        equipment_services.equipment_update(equipment=equipment, actor=request.user, required_skills=skills, **data)
        equipment = self.get_queryset().get(pk=equipment.pk)
        return Response(EquipmentOutputSerializer(equipment, context={"request": request}).data)


class EquipmentStatusApi(MakerspaceApi):
    """A machine's status history (who changed it, which ticket or session): members and staff of its makerspace.

    POST sets the status by hand (staff of its makerspace); the change is kept in the history.
    """

    serializer_class = EquipmentStatusChangeSerializer
    permission_classes = [IsAuthenticated, IsMakerspaceMemberToRead]

    def get_queryset(self):
        return equipment_selectors.equipment_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses={200: EquipmentStatusChangeSerializer(many=True), 403: MEMBERS_ONLY})
    def get(self, request, pk: int):
        return self.paginated(
            equipment_selectors.equipment_status_history(equipment=self.get_object()), EquipmentStatusChangeSerializer
        )

    @extend_schema(tags=TAGS, request=EquipmentStatusInputSerializer, responses=EquipmentOutputSerializer)
    def post(self, request, pk: int):
        equipment = self.get_object()
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
