"""/waitlist/: queue for a taken slot, claim it when offered, leave the line (the waiting-list services decide)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from makerspace.api.filters import WaitlistFilter
from makerspace.api.serializers.reservations import ReservationOutputSerializer
from makerspace.api.serializers.waitlist import WaitlistInputSerializer, WaitlistOutputSerializer
from makerspace.api.views.base import (
    FeatureSwitched,
    MakerspaceApi,
    PostOnlyAction,
    conflict_response,
    equipment_from_input,
)
from makerspace.selectors import reservations as reservation_selectors
from makerspace.selectors import waitlist as waitlist_selectors
from makerspace.services import waitlist as waitlist_services

TAGS = ["makerspace: waiting list"]


class WaitlistListCreateApi(FeatureSwitched, MakerspaceApi):
    feature, feature_path = "waitlist", "equipment__makerspace_id"
    serializer_class = WaitlistOutputSerializer
    filterset_class = WaitlistFilter

    def get_queryset(self):
        return waitlist_selectors.waitlist_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=WaitlistOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), WaitlistOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=WaitlistInputSerializer,
        responses={201: WaitlistOutputSerializer, 409: conflict_response("slot_free, duplicate, membership_inactive")},
    )
    def post(self, request):
        serializer = WaitlistInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        equipment = equipment_from_input(data["equipment"])
        self.feature_check(equipment.makerspace_id)
        entry = waitlist_services.waitlist_join(
            actor=request.user,
            equipment=equipment,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
        )
        return Response(WaitlistOutputSerializer(self.get_queryset().get(pk=entry.pk)).data, status=201)


class WaitlistDetailApi(FeatureSwitched, MakerspaceApi):
    feature, feature_path = "waitlist", "equipment__makerspace_id"
    serializer_class = WaitlistOutputSerializer

    def get_queryset(self):
        return waitlist_selectors.waitlist_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=WaitlistOutputSerializer)
    def get(self, request, pk: int):
        return Response(WaitlistOutputSerializer(self.get_object()).data)


class WaitlistClaimApi(PostOnlyAction, WaitlistDetailApi):
    """Book the offered slot (only the member in line, before the hold ends)."""

    @extend_schema(
        tags=TAGS,
        request=None,
        responses={201: ReservationOutputSerializer, 409: conflict_response("offer_expired, not_offered, slot_taken")},
    )
    def post(self, request, pk: int):
        reservation = waitlist_services.waitlist_claim(entry=self.get_object(), actor=request.user)
        reservation = reservation_selectors.reservation_list(user=request.user).get(pk=reservation.pk)
        return Response(ReservationOutputSerializer(reservation).data, status=status.HTTP_201_CREATED)


class WaitlistLeaveApi(PostOnlyAction, WaitlistDetailApi):
    """Leave the line (the member, or staff of the makerspace); an offer passes to the next in line."""

    @extend_schema(
        tags=TAGS, request=None, responses={200: WaitlistOutputSerializer, 409: conflict_response("invalid_transition")}
    )
    def post(self, request, pk: int):
        entry = waitlist_services.waitlist_leave(entry=self.get_object(), actor=request.user)
        return Response(WaitlistOutputSerializer(self.get_queryset().get(pk=entry.pk)).data)
