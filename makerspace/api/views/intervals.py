"""/maintenance/intervals/: preventive maintenance every N hours of use or N days (staff of the machine's space)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from makerspace.api.serializers.common import ErrorSerializer
from makerspace.api.serializers.intervals import (
    IntervalInputSerializer,
    IntervalOutputSerializer,
    IntervalUpdateSerializer,
)
from makerspace.api.views.base import MakerspaceApi, equipment_from_input
from makerspace.selectors import intervals as interval_selectors
from makerspace.services import intervals as interval_services

TAGS = ["makerspace: maintenance"]
REFUSED = {403: OpenApiResponse(ErrorSerializer, description="not_makerspace_staff")}


class IntervalScopedApi(MakerspaceApi):
    serializer_class = IntervalOutputSerializer
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return interval_selectors.interval_list(user=self.request.user)


class IntervalListCreateApi(IntervalScopedApi):
    @extend_schema(tags=TAGS, responses=IntervalOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), IntervalOutputSerializer)

    @extend_schema(tags=TAGS, request=IntervalInputSerializer, responses={201: IntervalOutputSerializer, **REFUSED})
    def post(self, request):
        serializer = IntervalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        interval = interval_services.interval_create(
            actor=request.user, equipment=equipment_from_input(data.pop("equipment")), **data
        )
        return Response(IntervalOutputSerializer(interval).data, status=status.HTTP_201_CREATED)


class IntervalDetailApi(IntervalScopedApi):
    @extend_schema(tags=TAGS, responses=IntervalOutputSerializer)
    def get(self, request, pk: int):
        return Response(IntervalOutputSerializer(self.get_object()).data)

    @extend_schema(tags=TAGS, request=IntervalUpdateSerializer, responses={200: IntervalOutputSerializer, **REFUSED})
    def patch(self, request, pk: int):
        interval = self.get_object()
        serializer = IntervalUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        interval = interval_services.interval_update(interval=interval, actor=request.user, **serializer.validated_data)
        return Response(IntervalOutputSerializer(interval).data)
