"""Order API: list and read orders, cancel, fulfil (state changes through services; refunds: payments.py)."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.api.pagination import StandardPagination
from makrx.api.permissions import IsStoreStaff
from store.api.filters import OrderFilter
from store.api.schema import CART_TOKEN, TRANSITION, cart_token
from store.api.serializers import orders as s
from store.models import Order
from store.selectors import orders as selectors
from store.services import orders as order_services

ORDER_TAGS = ["store orders"]


class OrderListApi(GenericAPIView):
    """Customers: their orders. Store staff: every order. Filters status, created_from/created_to, search."""

    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrderFilter
    serializer_class = s.OrderSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user to scope by
            return Order.objects.none()
        return selectors.order_list(user=self.request.user)

    @extend_schema(tags=ORDER_TAGS, responses=s.OrderSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.OrderSerializer(page, many=True).data)


def order_for_request(request, number: str):
    token = cart_token(request)
    if not request.user.is_authenticated and not token:
        raise NotAuthenticated()
    return selectors.order_get(number=number, user=request.user, cart_token=token)


class OrderDetailApi(APIView):
    """An order by number: its owner, store staff, or a guest with the checkout cart's X-Cart-Token."""

    permission_classes = [AllowAny]

    @extend_schema(tags=ORDER_TAGS, parameters=[CART_TOKEN], responses=s.OrderDetailSerializer)
    def get(self, request, number: str):
        return Response(s.OrderDetailSerializer(order_for_request(request, number)).data)


class OrderCancelApi(APIView):
    """Customer: unpaid orders. Store staff: also paid ones (stock back). Else 409 ``invalid_transition``."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=ORDER_TAGS,
        parameters=[CART_TOKEN],
        request=s.OrderActionSerializer,
        responses={200: s.OrderDetailSerializer, 409: TRANSITION},
    )
    def post(self, request, number: str):
        serializer = s.OrderActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_for_request(request, number)
        order_services.order_cancel(
            order=order, actor=request.user, cart_token=cart_token(request), reason=serializer.validated_data["note"]
        )
        return Response(s.OrderDetailSerializer(order_for_request(request, number)).data)


class OrderFulfilApi(APIView):
    """Store staff: a paid order has shipped."""

    permission_classes = [IsStoreStaff]
    service = staticmethod(order_services.order_fulfil)

    @extend_schema(
        tags=ORDER_TAGS, request=s.OrderActionSerializer, responses={200: s.OrderDetailSerializer, 409: TRANSITION}
    )
    def post(self, request, number: str):
        serializer = s.OrderActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = selectors.order_get(number=number, user=request.user)
        self.service(order=order, actor=request.user, note=serializer.validated_data["note"])
        return Response(s.OrderDetailSerializer(selectors.order_get(number=number, user=request.user)).data)
