"""/makerspaces/: list, create (platform admins), detail, edit (managers), join, opening hours, closures."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from makerspace.api.serializers.common import MAX_ID, ErrorSerializer
from makerspace.api.serializers.members import MemberOutputSerializer
from makerspace.api.serializers.spaces import (
    ClosureSerializer,
    MakerspaceInputSerializer,
    MakerspaceOutputSerializer,
    OpeningHoursInputSerializer,
    OpeningHoursSerializer,
)
from makerspace.api.views.base import MakerspaceApi
from makerspace.models import Closure
from makerspace.selectors import spaces as space_selectors
from makerspace.services import members as member_services
from makerspace.services import spaces as space_services
from makrx.errors import NotFound

TAGS = ["makerspace: spaces"]


class MakerspaceListCreateApi(MakerspaceApi):
    serializer_class = MakerspaceOutputSerializer
    search_fields = ["name", "slug", "address"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return space_selectors.makerspace_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=MakerspaceOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), MakerspaceOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=MakerspaceInputSerializer,
        responses={201: MakerspaceOutputSerializer, 409: OpenApiResponse(ErrorSerializer, description="duplicate")},
    )
    def post(self, request):
        serializer = MakerspaceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        makerspace = space_services.makerspace_create(actor=request.user, **serializer.validated_data)
        return Response(MakerspaceOutputSerializer(makerspace).data, status=status.HTTP_201_CREATED)


class MakerspaceDetailApi(MakerspaceApi):
    serializer_class = MakerspaceOutputSerializer

    def get_queryset(self):
        return space_selectors.makerspace_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=MakerspaceOutputSerializer)
    def get(self, request, pk: int):
        return Response(MakerspaceOutputSerializer(self.get_object()).data)

    @extend_schema(
        tags=TAGS,
        request=MakerspaceInputSerializer(partial=True),
        responses={200: MakerspaceOutputSerializer, 409: OpenApiResponse(ErrorSerializer, description="duplicate")},
    )
    def patch(self, request, pk: int):
        makerspace = self.get_object()
        serializer = MakerspaceInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        makerspace = space_services.makerspace_update(
            makerspace=makerspace, actor=request.user, **serializer.validated_data
        )
        return Response(MakerspaceOutputSerializer(self.get_queryset().get(pk=makerspace.pk)).data)


class MakerspaceJoinApi(MakerspaceApi):
    serializer_class = MemberOutputSerializer

    def get_queryset(self):
        return space_selectors.makerspace_list(user=self.request.user)

    @extend_schema(
        tags=TAGS,
        request=None,
        responses={
            201: MemberOutputSerializer,
            409: OpenApiResponse(ErrorSerializer, description="duplicate: already a member"),
        },
    )
    def post(self, request, pk: int):
        member = member_services.makerspace_join(makerspace=self.get_object(), actor=request.user)
        return Response(MemberOutputSerializer(member).data, status=status.HTTP_201_CREATED)


class MakerspaceOpeningHoursApi(MakerspaceApi):
    """The weekly opening intervals (local time of the makerspace); PUT replaces the whole week."""

    serializer_class = OpeningHoursInputSerializer

    def get_queryset(self):
        return space_selectors.makerspace_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=OpeningHoursInputSerializer)
    def get(self, request, pk: int):
        makerspace = self.get_object()
        return Response({"intervals": OpeningHoursSerializer(makerspace.opening_hours.all(), many=True).data})

    @extend_schema(tags=TAGS, request=OpeningHoursInputSerializer, responses=OpeningHoursInputSerializer)
    def put(self, request, pk: int):
        makerspace = self.get_object()
        serializer = OpeningHoursInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = space_services.opening_hours_set(
            makerspace=makerspace, intervals=serializer.validated_data["intervals"], actor=request.user
        )
        return Response({"intervals": OpeningHoursSerializer(rows, many=True).data})


class MakerspaceClosureListCreateApi(MakerspaceApi):
    serializer_class = ClosureSerializer

    def get_queryset(self):
        return space_selectors.makerspace_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=ClosureSerializer(many=True))
    def get(self, request, pk: int):
        makerspace = self.get_object()
        return self.paginated(makerspace.closures.order_by("starts_on", "id"), ClosureSerializer)

    @extend_schema(tags=TAGS, request=ClosureSerializer, responses={201: ClosureSerializer})
    def post(self, request, pk: int):
        makerspace = self.get_object()
        serializer = ClosureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        closure = space_services.closure_create(makerspace=makerspace, actor=request.user, **serializer.validated_data)
        return Response(ClosureSerializer(closure).data, status=status.HTTP_201_CREATED)


class MakerspaceClosureDeleteApi(MakerspaceApi):
    serializer_class = ClosureSerializer

    def get_queryset(self):
        return space_selectors.makerspace_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request, pk: int, closure_id: int):
        makerspace = self.get_object()
        closure = Closure.objects.filter(pk=closure_id, makerspace=makerspace).first() if closure_id <= MAX_ID else None
        if closure is None:
            raise NotFound("Unknown closure.")
        space_services.closure_delete(closure=closure, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
