"""/plans/ (anyone reads the offer, members the details, managers write) and /subscriptions/ (own; staff read,
managers create and cancel). The services decide who may write."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from makerspace.api.filters import PlanFilter, SubscriptionFilter
from makerspace.api.serializers.common import ErrorSerializer, ReasonInputSerializer
from makerspace.api.serializers.plans import (
    PlanInputSerializer,
    PlanOutputSerializer,
    PlanUpdateSerializer,
    SubscriptionInputSerializer,
    SubscriptionOutputSerializer,
)
from makerspace.api.views.base import MakerspaceApi, PostOnlyAction, makerspace_from_input, member_from_input
from makerspace.models import MembershipPlan
from makerspace.selectors import plans as plan_selectors
from makerspace.services import plans as plan_services
from makrx.auth.scoping import IsMakerspaceMemberToRead
from makrx.errors import ValidationError

TAGS = ["makerspace: plans"]


class PlanListCreateApi(MakerspaceApi):
    serializer_class = PlanOutputSerializer
    search_fields = ["name", "description"]
    ordering_fields = ["price", "name", "created_at"]
    filterset_class = PlanFilter

    def get_queryset(self):
        return plan_selectors.plan_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=PlanOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), PlanOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=PlanInputSerializer,
        responses={201: PlanOutputSerializer, 409: OpenApiResponse(ErrorSerializer, description="duplicate")},
    )
    def post(self, request):
        serializer = PlanInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        makerspace = makerspace_from_input(data.pop("makerspace"))
        plan = plan_services.plan_create(makerspace=makerspace, actor=request.user, **data)
        return Response(PlanOutputSerializer(plan).data, status=status.HTTP_201_CREATED)


class PlanDetailApi(MakerspaceApi):
    serializer_class = PlanOutputSerializer
    permission_classes = [IsAuthenticated, IsMakerspaceMemberToRead]

    def get_queryset(self):
        return plan_selectors.plan_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=PlanOutputSerializer)
    def get(self, request, pk: int):
        return Response(PlanOutputSerializer(self.get_object()).data)

    @extend_schema(tags=TAGS, request=PlanUpdateSerializer, responses=PlanOutputSerializer)
    def patch(self, request, pk: int):
        plan = self.get_object()
        serializer = PlanUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        plan = plan_services.plan_update(plan=plan, actor=request.user, **serializer.validated_data)
        return Response(PlanOutputSerializer(plan).data)


class SubscriptionListCreateApi(MakerspaceApi):
    serializer_class = SubscriptionOutputSerializer
    filterset_class = SubscriptionFilter
    ordering_fields = ["starts_at", "ends_at", "created_at"]

    def get_queryset(self):
        return plan_selectors.subscription_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=SubscriptionOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), SubscriptionOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=SubscriptionInputSerializer,
        responses={
            201: SubscriptionOutputSerializer,
            409: OpenApiResponse(ErrorSerializer, description="duplicate, plan_inactive or invalid_transition"),
        },
    )
    def post(self, request):
        serializer = SubscriptionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = member_from_input(data["member"])
        plan = MembershipPlan.objects.filter(pk=data["plan"]).first()
        if plan is None:
            raise ValidationError("Unknown plan.", errors={"plan": ["Unknown plan."]})
        subscription = plan_services.subscription_create(
            member=member, plan=plan, actor=request.user, starts_at=data["starts_at"], auto_renew=data["auto_renew"]
        )
        subscription = self.get_queryset().get(pk=subscription.pk)
        return Response(SubscriptionOutputSerializer(subscription).data, status=status.HTTP_201_CREATED)


class SubscriptionDetailApi(MakerspaceApi):
    serializer_class = SubscriptionOutputSerializer

    def get_queryset(self):
        return plan_selectors.subscription_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=SubscriptionOutputSerializer)
    def get(self, request, pk: int):
        return Response(SubscriptionOutputSerializer(self.get_object()).data)


class SubscriptionCancelApi(PostOnlyAction, SubscriptionDetailApi):
    @extend_schema(
        tags=TAGS,
        request=ReasonInputSerializer,
        responses={
            200: SubscriptionOutputSerializer,
            409: OpenApiResponse(ErrorSerializer, description="invalid_transition"),
        },
    )
    def post(self, request, pk: int):
        subscription = self.get_object()
        serializer = ReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan_services.subscription_cancel(
            subscription=subscription, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(SubscriptionOutputSerializer(self.get_queryset().get(pk=subscription.pk)).data)
