"""Usage sessions: start and stop a machine (the usage services decide who may), and the scoped session lists."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from makerspace.api.filters import UsageSessionFilter
from makerspace.api.serializers import usage as s
from makerspace.api.views.base import (
    MakerspaceApi,
    PostOnlyAction,
    conflict_response,
    equipment_from_input,
    member_from_input,
)
from makerspace.selectors import usage as usage_selectors
from makerspace.services import usage as usage_services

TAGS = ["makerspace: usage"]


class UsageSessionListStartApi(MakerspaceApi):
    serializer_class = s.UsageSessionOutputSerializer
    filterset_class = UsageSessionFilter
    ordering_fields = ["started_at"]

    def get_queryset(self):
        return usage_selectors.usage_session_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.UsageSessionOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), s.UsageSessionOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=s.UsageStartSerializer,
        responses={
            201: s.UsageSessionOutputSerializer,
            409: conflict_response(
                "equipment_in_use, equipment_unavailable, membership_inactive, skill_required, plan_limit, slot_taken"
            ),
        },
    )
    def post(self, request):
        serializer = s.UsageStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        session = usage_services.usage_session_start(
            actor=request.user,
            equipment=equipment_from_input(data["equipment"]),
            member=member_from_input(data.get("member")),
            notes=data["notes"],
        )
        return Response(
            s.UsageSessionOutputSerializer(self.get_queryset().get(pk=session.pk)).data, status=status.HTTP_201_CREATED
        )


class UsageSessionDetailApi(MakerspaceApi):
    serializer_class = s.UsageSessionOutputSerializer

    def get_queryset(self):
        return usage_selectors.usage_session_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.UsageSessionOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.UsageSessionOutputSerializer(self.get_object()).data)


class UsageSessionStopApi(PostOnlyAction, UsageSessionDetailApi):
    @extend_schema(
        tags=TAGS,
        request=s.UsageStopSerializer,
        responses={200: s.UsageSessionOutputSerializer, 409: conflict_response("invalid_transition")},
    )
    def post(self, request, pk: int):
        session = self.get_object()
        serializer = s.UsageStopSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = usage_services.usage_session_stop(
            session=session, actor=request.user, notes=serializer.validated_data["notes"]
        )
        return Response(s.UsageSessionOutputSerializer(self.get_queryset().get(pk=session.pk)).data)
