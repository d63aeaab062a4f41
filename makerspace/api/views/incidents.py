"""/incidents/: safety incidents, staff of the makerspace only (file, edit, investigate, close)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from makerspace.api.filters import IncidentFilter
from makerspace.api.serializers.common import ErrorSerializer
from makerspace.api.serializers.incidents import (
    IncidentCloseSerializer,
    IncidentInputSerializer,
    IncidentOutputSerializer,
    IncidentUpdateSerializer,
)
from makerspace.api.views.base import (
    MakerspaceApi,
    PostOnlyAction,
    conflict_response,
    equipment_from_input,
    member_from_input,
)
from makerspace.selectors import incidents as incident_selectors
from makerspace.services import incidents as incident_services

TAGS = ["makerspace: safety incidents"]
REFUSED = {403: OpenApiResponse(ErrorSerializer, description="not_makerspace_staff")}


class IncidentScopedApi(MakerspaceApi):
    serializer_class = IncidentOutputSerializer

    def get_queryset(self):
        return incident_selectors.incident_list(user=self.request.user)

    def render(self, incident, code=status.HTTP_200_OK):
        return Response(IncidentOutputSerializer(self.get_queryset().get(pk=incident.pk)).data, status=code)


class IncidentListCreateApi(IncidentScopedApi):
    search_fields = ["description", "actions_taken", "equipment__name"]
    ordering_fields = ["occurred_at", "created_at", "severity"]
    filterset_class = IncidentFilter

    @extend_schema(tags=TAGS, responses=IncidentOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), IncidentOutputSerializer)

    @extend_schema(tags=TAGS, request=IncidentInputSerializer, responses={201: IncidentOutputSerializer, **REFUSED})
    def post(self, request):
        serializer = IncidentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        incident = incident_services.incident_file(
            actor=request.user,
            equipment=equipment_from_input(data.pop("equipment")),
            member=member_from_input(data.pop("member")),
            **data,
        )
        return self.render(incident, status.HTTP_201_CREATED)


class IncidentDetailApi(IncidentScopedApi):
    @extend_schema(tags=TAGS, responses=IncidentOutputSerializer)
    def get(self, request, pk: int):
        return Response(IncidentOutputSerializer(self.get_object()).data)

    @extend_schema(
        tags=TAGS,
        request=IncidentUpdateSerializer,
        responses={200: IncidentOutputSerializer, 409: conflict_response("invalid_transition")},
    )
    def patch(self, request, pk: int):
        incident = self.get_object()
        serializer = IncidentUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        incident = incident_services.incident_update(incident=incident, actor=request.user, **serializer.validated_data)
        return self.render(incident)


class IncidentInvestigateApi(PostOnlyAction, IncidentScopedApi):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: IncidentOutputSerializer, 409: conflict_response("invalid_transition")},
    )
    def post(self, request, pk: int):
        return self.render(incident_services.incident_investigate(incident=self.get_object(), actor=request.user))


class IncidentCloseApi(PostOnlyAction, IncidentScopedApi):
    @extend_schema(
        tags=TAGS,
        request=IncidentCloseSerializer,
        responses={200: IncidentOutputSerializer, 409: conflict_response("invalid_transition")},
    )
    def post(self, request, pk: int):
        incident = self.get_object()
        serializer = IncidentCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = incident_services.incident_close(incident=incident, actor=request.user, **serializer.validated_data)
        return self.render(incident)
