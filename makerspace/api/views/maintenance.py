"""Maintenance tickets (report, edit, assign, resolve, close) and scheduled maintenance windows.

Lists and details stay inside the machine's makerspace (its members and staff); the services decide who acts.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from makerspace.api.filters import TicketFilter, WindowFilter
from makerspace.api.serializers import maintenance as s
from makerspace.api.views.base import MakerspaceApi, PostOnlyAction, conflict_response, equipment_from_input
from makerspace.selectors import maintenance as maintenance_selectors
from makerspace.services import maintenance as maintenance_services
from makrx.errors import ValidationError
from makrx.models import User

TAGS = ["makerspace: maintenance"]


class TicketListCreateApi(MakerspaceApi):
    serializer_class = s.TicketOutputSerializer
    filterset_class = TicketFilter

    def get_queryset(self):
        return maintenance_selectors.ticket_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.TicketOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), s.TicketOutputSerializer)

    @extend_schema(tags=TAGS, request=s.TicketInputSerializer, responses={201: s.TicketOutputSerializer})
    def post(self, request):
        serializer = s.TicketInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        ticket = maintenance_services.ticket_report(
            actor=request.user, equipment=equipment_from_input(data.pop("equipment")), **data
        )
        ticket = self.get_queryset().get(pk=ticket.pk)
        return Response(s.TicketOutputSerializer(ticket).data, status=status.HTTP_201_CREATED)


class TicketDetailApi(MakerspaceApi):
    serializer_class = s.TicketOutputSerializer

    def get_queryset(self):
        return maintenance_selectors.ticket_list(user=self.request.user)

    def done(self, ticket):
        return Response(s.TicketOutputSerializer(self.get_queryset().get(pk=ticket.pk)).data)

    @extend_schema(tags=TAGS, responses=s.TicketOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.TicketOutputSerializer(self.get_object()).data)

    @extend_schema(tags=TAGS, request=s.TicketUpdateSerializer, responses=s.TicketOutputSerializer)
    def patch(self, request, pk: int):
        ticket = self.get_object()
        serializer = s.TicketUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self.done(
            maintenance_services.ticket_update(ticket=ticket, actor=request.user, **serializer.validated_data)
        )


class TicketAssignApi(PostOnlyAction, TicketDetailApi):
    @extend_schema(
        tags=TAGS,
        request=s.TicketAssignSerializer,
        responses={200: s.TicketOutputSerializer, 409: conflict_response("invalid_transition")},
    )
    def post(self, request, pk: int):
        ticket = self.get_object()
        serializer = s.TicketAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignee_id = serializer.validated_data["assignee"]
        assignee = None
        if assignee_id is not None:
            assignee = User.objects.filter(pk=assignee_id).first()
            if assignee is None:
                raise ValidationError("Unknown user.", errors={"assignee": ["Unknown user."]})
        return self.done(maintenance_services.ticket_assign(ticket=ticket, actor=request.user, assignee=assignee))


class TicketResolveApi(PostOnlyAction, TicketDetailApi):
    @extend_schema(
        tags=TAGS,
        request=s.TicketResolveSerializer,
        responses={200: s.TicketOutputSerializer, 409: conflict_response("invalid_transition")},
    )
    def post(self, request, pk: int):
        ticket = self.get_object()
        serializer = s.TicketResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.done(
            maintenance_services.ticket_resolve(
                ticket=ticket, actor=request.user, resolution=serializer.validated_data["resolution"]
            )
        )


class TicketCloseApi(PostOnlyAction, TicketDetailApi):
    @extend_schema(
        tags=TAGS,
        request=s.TicketCloseSerializer,
        responses={200: s.TicketOutputSerializer, 409: conflict_response("invalid_transition")},
    )
    def post(self, request, pk: int):
        ticket = self.get_object()
        serializer = s.TicketCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.done(
            maintenance_services.ticket_close(
                ticket=ticket, actor=request.user, resolution=serializer.validated_data["resolution"]
            )
        )


class WindowListCreateApi(MakerspaceApi):
    serializer_class = s.WindowOutputSerializer
    filterset_class = WindowFilter

    def get_queryset(self):
        return maintenance_selectors.window_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.WindowOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), s.WindowOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=s.WindowInputSerializer,
        responses={
            201: s.WindowOutputSerializer,
            409: conflict_response("reservation_conflict (errors.reservations: ids)"),
        },
    )
    def post(self, request):
        serializer = s.WindowInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        window = maintenance_services.window_schedule(
            actor=request.user, equipment=equipment_from_input(data.pop("equipment")), **data
        )
        window = self.get_queryset().get(pk=window.pk)
        return Response(s.WindowOutputSerializer(window).data, status=status.HTTP_201_CREATED)


class WindowDetailApi(MakerspaceApi):
    serializer_class = s.WindowOutputSerializer

    def get_queryset(self):
        return maintenance_selectors.window_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.WindowOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.WindowOutputSerializer(self.get_object()).data)


class WindowCancelApi(PostOnlyAction, WindowDetailApi):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: s.WindowOutputSerializer, 409: conflict_response("invalid_transition")},
    )
    def post(self, request, pk: int):
        window = maintenance_services.window_cancel(window=self.get_object(), actor=request.user)
        return Response(s.WindowOutputSerializer(self.get_queryset().get(pk=window.pk)).data)
