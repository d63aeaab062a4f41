"""Service orders API: order a quote (a store order to pay), read it with its timeline, publish it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.api.pagination import StandardPagination
from makrx.errors import NotFound, ValidationError
from makrx.idempotency import idempotent
from store.api.schema import CART_TOKEN, IDEMPOTENCY_CONFLICT, IDEMPOTENCY_KEY, TRANSITION, cart_token, error_doc
from store.api.serializers import service_orders as s
from store.api.views.uploads import SERVICE_TAGS
from store.models import ServiceOrder
from store.selectors import quotes as quote_selectors
from store.selectors import service_orders as selectors
from store.services import service_orders as services


def service_order_create_response(request) -> Response:
    user = request.user if request.user.is_authenticated else None
    token = cart_token(request)
    owner = f"user:{user.pk}" if user else f"cart:{token or '-'}"

    def handler() -> Response:
        serializer = s.ServiceOrderInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            quote = quote_selectors.quote_get(quote_id=data["quote"], user=request.user, cart_token=token)
        except NotFound as exc:
            raise ValidationError(exc.detail, code=exc.code, errors={"quote": [exc.detail]}) from exc
        service_order = services.service_order_create(
            actor=request.user,
            cart=quote.cart,
            quote=quote,
            delivery=data["delivery"],
            shipping_address=data.get("shipping_address"),
            pickup_makerspace=data.get("pickup_makerspace"),
            email=data.get("email", ""),
        )
        service_order = selectors.service_order_get(
            service_order_id=service_order.pk, user=request.user, cart_token=token
        )
        return Response(s.ServiceOrderDetailSerializer(service_order).data, status=status.HTTP_201_CREATED)

    return idempotent(request, scope="store.service_order", owner=owner, handler=handler)


SERVICE_ORDER_CREATE_SCHEMA = extend_schema(
    tags=SERVICE_TAGS,
    parameters=[CART_TOKEN, IDEMPOTENCY_KEY],
    request=s.ServiceOrderInputSerializer,
    responses={
        201: s.ServiceOrderDetailSerializer,
        409: error_doc(f"quote_expired, no_machine_fits, quote_already_ordered, {IDEMPOTENCY_CONFLICT}."),
    },
)


class ServiceOrderListCreateApi(GenericAPIView):
    """GET: the caller's service orders (store staff: all). POST: order a quote; pay the returned ``order``
    through ``POST /api/v1/store/orders/{number}/payment/``."""

    pagination_class = StandardPagination
    serializer_class = s.ServiceOrderSerializer

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "GET" else [AllowAny()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ServiceOrder.objects.none()
        return selectors.service_order_list(user=self.request.user)

    @extend_schema(tags=SERVICE_TAGS, responses=s.ServiceOrderSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ServiceOrderSerializer(page, many=True).data)

    @SERVICE_ORDER_CREATE_SCHEMA
    def post(self, request):
        return service_order_create_response(request)


class ServiceOrderDetailApi(APIView):
    """A service order with its timeline: the owner, store staff, or the guest holding its cart token."""

    permission_classes = [AllowAny]

    @extend_schema(tags=SERVICE_TAGS, parameters=[CART_TOKEN], responses=s.ServiceOrderDetailSerializer)
    def get(self, request, id: int):  # noqa: A002 - the path parameter's public name
        service_order = selectors.service_order_get(
            service_order_id=id, user=request.user, cart_token=cart_token(request)
        )
        return Response(s.ServiceOrderDetailSerializer(service_order).data)


def service_order_publish_response(request, id: int) -> Response:  # noqa: A002
    token = cart_token(request)
    service_order = selectors.service_order_get(service_order_id=id, user=request.user, cart_token=token)
    service_order = services.service_order_publish(service_order=service_order, actor=request.user, cart_token=token)
    service_order = selectors.service_order_get(service_order_id=service_order.pk, user=request.user, cart_token=token)
    return Response(s.ServiceOrderDetailSerializer(service_order).data)


PUBLISH_SCHEMA = extend_schema(
    tags=SERVICE_TAGS,
    parameters=[CART_TOKEN],
    request=None,
    responses={200: s.ServiceOrderDetailSerializer, 409: TRANSITION},
)


class ServiceOrderPublishApi(APIView):
    """Hand a paid service order to the makerspaces (the bridge job message is written on the order)."""

    permission_classes = [AllowAny]
    http_method_names = ["post", "options"]

    @PUBLISH_SCHEMA
    def post(self, request, id: int):  # noqa: A002 - the path parameter's public name
        return service_order_publish_response(request, id)
