"""Reservations, availability, iCalendar feeds, maintenance tickets and windows, usage sessions."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from makerspace import selectors, selectors_booking
from makerspace.api.serializers import booking as s
from makerspace.api.serializers.common import MAX_ID, ErrorSerializer
from makerspace.api.views.base import MakerspaceApi
from makerspace.models import Equipment, Member
from makerspace.services import calendar as calendar_services
from makerspace.services import maintenance as maintenance_services
from makerspace.services import reservations as reservation_services
from makerspace.services import usage as usage_services
from makrx.errors import NotFound, ValidationError
from makrx.models import User

RESERVATION_TAGS = ["makerspace: reservations"]
MAINTENANCE_TAGS = ["makerspace: maintenance"]
USAGE_TAGS = ["makerspace: usage"]
CALENDAR_TAGS = ["makerspace: calendars"]


def _conflict(codes: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=codes)


def _query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _equipment(pk: int) -> Equipment:
    equipment = Equipment.objects.select_related("makerspace").filter(pk=pk).first()
    if equipment is None:
        raise ValidationError("Unknown machine.", errors={"equipment": ["Unknown machine."]})
    return equipment


def _member(pk: int | None) -> Member | None:
    if pk is None:
        return None
    member = Member.objects.select_related("plan", "user").filter(pk=pk).first()
    if member is None:
        raise ValidationError("Unknown member.", errors={"member": ["Unknown member."]})
    return member


# --- reservations ---------------------------------------------------------------------------------

RESERVATION_CODES = (
    "equipment_unavailable, membership_inactive, skill_required, plan_limit, outside_opening_hours, "
    "maintenance_window, slot_taken"
)


class ReservationListCreateApi(MakerspaceApi):
    serializer_class = s.ReservationOutputSerializer

    def get_queryset(self):
        return selectors_booking.reservation_list(user=self.request.user)

    @extend_schema(
        tags=RESERVATION_TAGS,
        parameters=[s.ReservationFilterSerializer],
        responses=s.ReservationOutputSerializer(many=True),
    )
    def get(self, request):
        filters = _query(s.ReservationFilterSerializer, request)
        queryset = selectors_booking.reservation_list(
            user=request.user,
            equipment_id=filters.get("equipment"),
            makerspace_id=filters.get("makerspace"),
            status=filters.get("status"),
            starts_after=filters.get("starts_after"),
            starts_before=filters.get("starts_before"),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.ReservationOutputSerializer(page, many=True).data)

    @extend_schema(
        tags=RESERVATION_TAGS,
        request=s.ReservationInputSerializer,
        responses={201: s.ReservationOutputSerializer, 409: _conflict(RESERVATION_CODES)},
    )
    def post(self, request):
        serializer = s.ReservationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        reservation = reservation_services.reservation_create(
            user=request.user,
            equipment=_equipment(data["equipment"]),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            member=_member(data.get("member")),
            notes=data["notes"],
        )
        reservation = self.get_queryset().get(pk=reservation.pk)
        return Response(s.ReservationOutputSerializer(reservation).data, status=status.HTTP_201_CREATED)


class ReservationDetailApi(MakerspaceApi):
    serializer_class = s.ReservationOutputSerializer

    def get_queryset(self):
        return selectors_booking.reservation_list(user=self.request.user)

    @extend_schema(tags=RESERVATION_TAGS, responses=s.ReservationOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.ReservationOutputSerializer(self.get_object()).data)


class _ReservationActionApi(ReservationDetailApi):
    """POST-only state change on one reservation the user can see (404 otherwise)."""

    def act(self, request, reservation):  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request, pk: int):
        reservation = self.act(request, self.get_object())
        return Response(s.ReservationOutputSerializer(self.get_queryset().get(pk=reservation.pk)).data)


class ReservationCancelApi(_ReservationActionApi):
    @extend_schema(
        tags=RESERVATION_TAGS,
        request=s.CancelInputSerializer,
        responses={200: s.ReservationOutputSerializer, 409: _conflict("invalid_transition, cancellation_cutoff")},
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, reservation):
        serializer = s.CancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return reservation_services.reservation_cancel(
            reservation=reservation, user=request.user, reason=serializer.validated_data["reason"]
        )


class _ReservationStaffActionApi(_ReservationActionApi):
    """Check-in, no-show and complete: staff moves with no body; ``service`` is the one that differs."""

    service = None

    @extend_schema(
        tags=RESERVATION_TAGS,
        request=None,
        responses={200: s.ReservationOutputSerializer, 409: _conflict("invalid_transition")},
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, reservation):
        return self.service(reservation=reservation, user=request.user)


class ReservationCheckInApi(_ReservationStaffActionApi):
    service = staticmethod(reservation_services.reservation_check_in)


class ReservationNoShowApi(_ReservationStaffActionApi):
    service = staticmethod(reservation_services.reservation_no_show)


class ReservationCompleteApi(_ReservationStaffActionApi):
    service = staticmethod(reservation_services.reservation_complete)


class EquipmentAvailabilityApi(MakerspaceApi):
    """Free and busy intervals of a machine on one local day (in the makerspace's time zone)."""

    serializer_class = s.AvailabilitySerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.equipment_list(user=self.request.user).prefetch_related(None)

    @extend_schema(
        tags=RESERVATION_TAGS, parameters=[s.AvailabilityQuerySerializer], responses=s.AvailabilitySerializer
    )
    def get(self, request, pk: int):
        day = _query(s.AvailabilityQuerySerializer, request)["date"]
        availability = selectors_booking.equipment_availability(equipment=self.get_object(), day=day)
        return Response(s.AvailabilitySerializer(availability).data)


# --- calendars ------------------------------------------------------------------------------------


class ICalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | str):
            return data
        return JSONRenderer().render(data)


class _CalendarFeedApi(MakerspaceApi):
    """The secret token in the path is the credential: no Authorization header needed (or looked at)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, ICalendarRenderer]

    @staticmethod
    def ics(body: bytes) -> HttpResponse:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "private, max-age=300"
        return response


class CalendarReservationsFeedApi(_CalendarFeedApi):
    @extend_schema(
        tags=CALENDAR_TAGS, auth=[], responses={(200, "text/calendar"): OpenApiTypes.STR, 404: ErrorSerializer}
    )
    def get(self, request, token: str):
        return self.ics(calendar_services.user_reservations_ics(token=token))


class CalendarEquipmentFeedApi(_CalendarFeedApi):
    @extend_schema(
        tags=CALENDAR_TAGS, auth=[], responses={(200, "text/calendar"): OpenApiTypes.STR, 404: ErrorSerializer}
    )
    def get(self, request, token: str, pk: int):
        if pk > MAX_ID:
            raise NotFound("Unknown machine.")
        return self.ics(calendar_services.equipment_reservations_ics(token=token, equipment_id=pk))


class CalendarTokenApi(MakerspaceApi):
    """GET: your feed token (created on first use); POST: rotate it (old feed URLs stop working)."""

    serializer_class = s.CalendarTokenSerializer
    pagination_class = None

    @extend_schema(tags=CALENDAR_TAGS, responses=s.CalendarTokenSerializer)
    def get(self, request):
        token = calendar_services.calendar_token_get(user=request.user)
        return Response(s.CalendarTokenSerializer(token, context={"request": request}).data)

    @extend_schema(tags=CALENDAR_TAGS, request=None, responses=s.CalendarTokenSerializer)
    def post(self, request):
        token = calendar_services.calendar_token_rotate(user=request.user)
        return Response(s.CalendarTokenSerializer(token, context={"request": request}).data)


# --- maintenance ----------------------------------------------------------------------------------


class TicketListCreateApi(MakerspaceApi):
    serializer_class = s.TicketOutputSerializer

    def get_queryset(self):
        return selectors_booking.ticket_list(user=self.request.user)

    @extend_schema(
        tags=MAINTENANCE_TAGS, parameters=[s.TicketFilterSerializer], responses=s.TicketOutputSerializer(many=True)
    )
    def get(self, request):
        filters = _query(s.TicketFilterSerializer, request)
        queryset = selectors_booking.ticket_list(
            user=request.user, equipment_id=filters.get("equipment"), status=filters.get("status")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.TicketOutputSerializer(page, many=True).data)

    @extend_schema(tags=MAINTENANCE_TAGS, request=s.TicketInputSerializer, responses={201: s.TicketOutputSerializer})
    def post(self, request):
        serializer = s.TicketInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        ticket = maintenance_services.ticket_report(
            user=request.user, equipment=_equipment(data.pop("equipment")), **data
        )
        ticket = selectors_booking.ticket_list(user=request.user).get(pk=ticket.pk)
        return Response(s.TicketOutputSerializer(ticket).data, status=status.HTTP_201_CREATED)


class TicketDetailApi(MakerspaceApi):
    serializer_class = s.TicketOutputSerializer

    def get_queryset(self):
        return selectors_booking.ticket_list(user=self.request.user)

    def done(self, ticket):
        return Response(s.TicketOutputSerializer(self.get_queryset().get(pk=ticket.pk)).data)

    @extend_schema(tags=MAINTENANCE_TAGS, responses=s.TicketOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.TicketOutputSerializer(self.get_object()).data)

    @extend_schema(tags=MAINTENANCE_TAGS, request=s.TicketUpdateSerializer, responses=s.TicketOutputSerializer)
    def patch(self, request, pk: int):
        ticket = self.get_object()
        serializer = s.TicketUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self.done(
            maintenance_services.ticket_update(ticket=ticket, user=request.user, **serializer.validated_data)
        )


class TicketAssignApi(TicketDetailApi):
    @extend_schema(
        tags=MAINTENANCE_TAGS,
        request=s.TicketAssignSerializer,
        responses={200: s.TicketOutputSerializer, 409: _conflict("invalid_transition")},
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
        return self.done(maintenance_services.ticket_assign(ticket=ticket, user=request.user, assignee=assignee))


class TicketResolveApi(TicketDetailApi):
    @extend_schema(
        tags=MAINTENANCE_TAGS,
        request=s.TicketResolveSerializer,
        responses={200: s.TicketOutputSerializer, 409: _conflict("invalid_transition")},
    )
    def post(self, request, pk: int):
        ticket = self.get_object()
        serializer = s.TicketResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.done(
            maintenance_services.ticket_resolve(
                ticket=ticket, user=request.user, resolution=serializer.validated_data["resolution"]
            )
        )


class TicketCloseApi(TicketDetailApi):
    @extend_schema(
        tags=MAINTENANCE_TAGS,
        request=s.TicketCloseSerializer,
        responses={200: s.TicketOutputSerializer, 409: _conflict("invalid_transition")},
    )
    def post(self, request, pk: int):
        ticket = self.get_object()
        serializer = s.TicketCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.done(
            maintenance_services.ticket_close(
                ticket=ticket, user=request.user, resolution=serializer.validated_data["resolution"]
            )
        )


class WindowListCreateApi(MakerspaceApi):
    serializer_class = s.WindowOutputSerializer

    def get_queryset(self):
        return selectors_booking.window_list(user=self.request.user)

    @extend_schema(
        tags=MAINTENANCE_TAGS, parameters=[s.EquipmentFilterSerializer], responses=s.WindowOutputSerializer(many=True)
    )
    def get(self, request):
        filters = _query(s.EquipmentFilterSerializer, request)
        queryset = selectors_booking.window_list(user=request.user, equipment_id=filters.get("equipment"))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.WindowOutputSerializer(page, many=True).data)

    @extend_schema(
        tags=MAINTENANCE_TAGS,
        request=s.WindowInputSerializer,
        responses={201: s.WindowOutputSerializer, 409: _conflict("reservation_conflict (errors.reservations: ids)")},
    )
    def post(self, request):
        serializer = s.WindowInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        window = maintenance_services.window_schedule(
            user=request.user, equipment=_equipment(data.pop("equipment")), **data
        )
        window = selectors_booking.window_list(user=request.user).get(pk=window.pk)
        return Response(s.WindowOutputSerializer(window).data, status=status.HTTP_201_CREATED)


class WindowDetailApi(MakerspaceApi):
    serializer_class = s.WindowOutputSerializer

    def get_queryset(self):
        return selectors_booking.window_list(user=self.request.user)

    @extend_schema(tags=MAINTENANCE_TAGS, responses=s.WindowOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.WindowOutputSerializer(self.get_object()).data)


class WindowCancelApi(WindowDetailApi):
    @extend_schema(
        tags=MAINTENANCE_TAGS,
        request=None,
        responses={200: s.WindowOutputSerializer, 409: _conflict("invalid_transition")},
    )
    def post(self, request, pk: int):
        window = maintenance_services.window_cancel(window=self.get_object(), user=request.user)
        return Response(s.WindowOutputSerializer(self.get_queryset().get(pk=window.pk)).data)


# --- usage ----------------------------------------------------------------------------------------


class UsageSessionListStartApi(MakerspaceApi):
    serializer_class = s.UsageSessionOutputSerializer

    def get_queryset(self):
        return selectors_booking.usage_session_list(user=self.request.user)

    @extend_schema(
        tags=USAGE_TAGS, parameters=[s.UsageFilterSerializer], responses=s.UsageSessionOutputSerializer(many=True)
    )
    def get(self, request):
        filters = _query(s.UsageFilterSerializer, request)
        queryset = selectors_booking.usage_session_list(
            user=request.user, equipment_id=filters.get("equipment"), open_only=filters["open"]
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.UsageSessionOutputSerializer(page, many=True).data)

    @extend_schema(
        tags=USAGE_TAGS,
        request=s.UsageStartSerializer,
        responses={
            201: s.UsageSessionOutputSerializer,
            409: _conflict(
                "equipment_in_use, equipment_unavailable, membership_inactive, skill_required, plan_limit, slot_taken"
            ),
        },
    )
    def post(self, request):
        serializer = s.UsageStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        session = usage_services.usage_session_start(
            user=request.user,
            equipment=_equipment(data["equipment"]),
            member=_member(data.get("member")),
            notes=data["notes"],
        )
        return Response(
            s.UsageSessionOutputSerializer(self.get_queryset().get(pk=session.pk)).data, status=status.HTTP_201_CREATED
        )


class UsageSessionDetailApi(MakerspaceApi):
    serializer_class = s.UsageSessionOutputSerializer

    def get_queryset(self):
        return selectors_booking.usage_session_list(user=self.request.user)

    @extend_schema(tags=USAGE_TAGS, responses=s.UsageSessionOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.UsageSessionOutputSerializer(self.get_object()).data)


class UsageSessionStopApi(UsageSessionDetailApi):
    @extend_schema(
        tags=USAGE_TAGS,
        request=s.UsageStopSerializer,
        responses={200: s.UsageSessionOutputSerializer, 409: _conflict("invalid_transition")},
    )
    def post(self, request, pk: int):
        session = self.get_object()
        serializer = s.UsageStopSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = usage_services.usage_session_stop(
            session=session, user=request.user, notes=serializer.validated_data["notes"]
        )
        return Response(s.UsageSessionOutputSerializer(self.get_queryset().get(pk=session.pk)).data)
