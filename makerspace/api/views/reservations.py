"""Reservations (book, cancel, check-in, no-show, complete) and a machine's availability for a day.

The reservation services decide who may act; availability is for members and staff of the machine's makerspace.
"""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from makerspace.api.filters import ReservationFilter
from makerspace.api.serializers import reservations as s
from makerspace.api.serializers.common import RequiredReasonInputSerializer
from makerspace.api.views.base import (
    MakerspaceApi,
    PostOnlyAction,
    conflict_response,
    equipment_from_input,
    member_from_input,
    query_params,
    user_from_input,
)
from makerspace.selectors import equipment as equipment_selectors
from makerspace.selectors import reservations as reservation_selectors
from makerspace.services import approval as approval_services
from makerspace.services import recurring as recurring_services
from makerspace.services import reservations as reservation_services
from makrx.auth.scoping import IsMakerspaceMemberToRead
from makrx.errors import ValidationError

TAGS = ["makerspace: reservations"]

RESERVATION_CODES = (
    "equipment_unavailable, membership_inactive, skill_required, plan_limit, outside_opening_hours, "
    "maintenance_window, slot_taken, supervisor_busy, promo_invalid, promo_exhausted"
)


class ReservationListCreateApi(MakerspaceApi):
    serializer_class = s.ReservationOutputSerializer
    filterset_class = ReservationFilter

    def get_queryset(self):
        return reservation_selectors.reservation_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.ReservationOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), s.ReservationOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=s.ReservationInputSerializer,
        responses={
            201: PolymorphicProxySerializer(
                component_name="ReservationOrSeries",
                serializers=[s.ReservationOutputSerializer, s.SeriesOutputSerializer],
                resource_type_field_name=None,
            ),
            409: conflict_response(RESERVATION_CODES),
        },
    )
    def post(self, request):
        serializer = s.ReservationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        booking = {
            "actor": request.user,
            "equipment": equipment_from_input(data["equipment"]),
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "member": member_from_input(data.get("member")),
            "notes": data["notes"],
            "promo_code": data["promo_code"],
            "supervisor": user_from_input(data["supervisor"], field="supervisor"),
        }
        if "repeat" in data:
            if data["emergency"]:
                raise ValidationError(
                    "An emergency booking is not a series.", errors={"repeat": ["Not with emergency."]}
                )
            series, booked = recurring_services.reservation_series_create(**booking, **data["repeat"])
            rows = self.get_queryset().filter(pk__in=[r.pk for r in booked])
            body = {"series": series.pk, "every": series.every, "count": series.count, "reservations": rows}
            return Response(s.SeriesOutputSerializer(body).data, status=status.HTTP_201_CREATED)
        reservation = reservation_services.reservation_create(**booking, emergency=data["emergency"])
        reservation = self.get_queryset().get(pk=reservation.pk)
        return Response(s.ReservationOutputSerializer(reservation).data, status=status.HTTP_201_CREATED)


class ReservationDetailApi(MakerspaceApi):
    serializer_class = s.ReservationOutputSerializer

    def get_queryset(self):
        return reservation_selectors.reservation_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.ReservationOutputSerializer)
    def get(self, request, pk: int):
        return Response(s.ReservationOutputSerializer(self.get_object()).data)


class _ReservationActionApi(PostOnlyAction, ReservationDetailApi):
    """POST-only state change on one reservation the user can see (404 otherwise)."""

    def act(self, request, reservation):  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request, pk: int):
        reservation = self.act(request, self.get_object())
        return Response(s.ReservationOutputSerializer(self.get_queryset().get(pk=reservation.pk)).data)


class ReservationCancelApi(_ReservationActionApi):
    @extend_schema(
        tags=TAGS,
        request=s.CancelInputSerializer,
        responses={
            200: s.ReservationOutputSerializer,
            409: conflict_response("invalid_transition, cancellation_cutoff"),
        },
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, reservation):
        serializer = s.CancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["scope"] == "following":
            recurring_services.reservation_series_cancel_following(
                reservation=reservation, actor=request.user, reason=data["reason"]
            )
            return reservation
        return reservation_services.reservation_cancel(
            reservation=reservation, actor=request.user, reason=data["reason"]
        )


class _ReservationStaffActionApi(_ReservationActionApi):
    """Check-in, no-show and complete: staff moves with no body; ``service`` is the one that differs."""

    service = None

    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: s.ReservationOutputSerializer, 409: conflict_response("invalid_transition")},
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, reservation):
        return self.service(reservation=reservation, actor=request.user)


class ReservationCheckInApi(_ReservationStaffActionApi):
    service = staticmethod(reservation_services.reservation_check_in)


class ReservationNoShowApi(_ReservationStaffActionApi):
    service = staticmethod(reservation_services.reservation_no_show)


class ReservationCompleteApi(_ReservationStaffActionApi):
    service = staticmethod(reservation_services.reservation_complete)


class ReservationApproveApi(_ReservationActionApi):
    @extend_schema(
        tags=TAGS,
        request=s.DecisionInputSerializer,
        responses={200: s.ReservationOutputSerializer, 409: conflict_response("invalid_transition")},
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, reservation):
        serializer = s.DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return approval_services.reservation_approve(
            reservation=reservation, actor=request.user, reason=serializer.validated_data["reason"]
        )


class ReservationRejectApi(_ReservationActionApi):
    @extend_schema(
        tags=TAGS,
        request=RequiredReasonInputSerializer,
        responses={200: s.ReservationOutputSerializer, 409: conflict_response("invalid_transition")},
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, reservation):
        serializer = RequiredReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return approval_services.reservation_reject(
            reservation=reservation, actor=request.user, reason=serializer.validated_data["reason"]
        )


class ReservationEventListApi(ReservationDetailApi):
    """A reservation's history (created, approved, cancelled, ...) for whoever may see the reservation."""

    serializer_class = s.ReservationEventSerializer

    @extend_schema(tags=TAGS, responses=s.ReservationEventSerializer(many=True))
    def get(self, request, pk: int):
        events = reservation_selectors.reservation_event_list(reservation=self.get_object())
        return self.paginated(events, s.ReservationEventSerializer)


class EquipmentAvailabilityApi(MakerspaceApi):
    """Free and busy intervals of a machine on one local day (in the makerspace's time zone)."""

    serializer_class = s.AvailabilitySerializer
    pagination_class = None
    permission_classes = [IsAuthenticated, IsMakerspaceMemberToRead]

    def get_queryset(self):
        return equipment_selectors.equipment_list(user=self.request.user).prefetch_related(None)

    @extend_schema(tags=TAGS, parameters=[s.AvailabilityQuerySerializer], responses=s.AvailabilitySerializer)
    def get(self, request, pk: int):
        day = query_params(s.AvailabilityQuerySerializer, request)["date"]
        availability = reservation_selectors.equipment_availability(equipment=self.get_object(), day=day)
        return Response(s.AvailabilitySerializer(availability).data)
