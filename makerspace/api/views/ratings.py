"""/equipment/{id}/ratings/: members of the machine's makerspace read its ratings; those who used it rate it."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from makerspace.api.serializers.common import ErrorSerializer
from makerspace.api.serializers.ratings import RatingInputSerializer, RatingOutputSerializer
from makerspace.api.views.base import FeatureSwitched, MakerspaceApi, conflict_response
from makerspace.selectors import equipment as equipment_selectors
from makerspace.selectors import ratings as rating_selectors
from makerspace.services import ratings as rating_services

TAGS = ["makerspace: equipment"]


class EquipmentRatingListSetApi(FeatureSwitched, MakerspaceApi):
    feature = "ratings"
    serializer_class = RatingOutputSerializer
    ordering_fields = ["updated_at", "score"]

    def get_queryset(self):
        return equipment_selectors.equipment_list(user=self.request.user)

    @extend_schema(
        tags=TAGS,
        responses={
            200: RatingOutputSerializer(many=True),
            403: OpenApiResponse(ErrorSerializer, description="not_makerspace_member"),
        },
    )
    def get(self, request, pk: int):
        equipment = self.get_object()
        return self.paginated(
            rating_selectors.rating_list(user=request.user, equipment=equipment), RatingOutputSerializer
        )

    @extend_schema(
        tags=TAGS,
        request=RatingInputSerializer,
        responses={
            201: RatingOutputSerializer,
            200: OpenApiResponse(RatingOutputSerializer, description="Your earlier rating was edited."),
            403: OpenApiResponse(ErrorSerializer, description="not_makerspace_member"),
            409: conflict_response("machine_not_used, membership_inactive"),
        },
        description="Rate the machine 1–5 (once you have used it); rating again edits your rating.",
    )
    def post(self, request, pk: int):
        equipment = self.get_object()
        serializer = RatingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating, created = rating_services.rating_set(
            actor=request.user, equipment=equipment, **serializer.validated_data
        )
        rating = rating_selectors.rating_list(user=request.user, equipment=equipment).get(pk=rating.pk)
        return Response(
            RatingOutputSerializer(rating).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
