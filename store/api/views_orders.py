"""Cart, checkout, orders and payments API. Each view parses, calls one service or selector, renders."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.api.pagination import StandardPagination
from makrx.api.permissions import IsStoreStaff
from makrx.errors import ValidationError
from makrx.idempotency import idempotent
from makrx.logging import current_request_id
from makrx.ratelimit import rate_limit
from store.api import serializers_orders as s
from store.payments import SignatureInvalid
from store.selectors import orders as selectors
from store.services import cart as cart_services
from store.services import orders as order_services
from store.services.checkout import order_checkout
from store.services.payments import payment_create, webhook_receive

CART_TAGS = ["store cart"]
ORDER_TAGS = ["store orders"]
PAYMENT_TAGS = ["store payments"]
CART_TOKEN_HEADER = "X-Cart-Token"
CART_TOKEN = OpenApiParameter(
    CART_TOKEN_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Anonymous cart token (returned by the first cart call). Signed in: merges that cart into yours.",
)
ERROR = {"$ref": "#/components/schemas/Error"}  # the platform error component (makrx.api.schema)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ERROR, description=description)


OUT_OF_STOCK = _error("out_of_stock: not enough available (errors keyed by SKU).")
TRANSITION = _error("invalid_transition: the order's status does not allow this.")
IDEMPOTENCY_CONFLICT = "idempotency_key_reused (same key, other body) or request_in_progress"
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False, description="Retry-safe writes."
)


def _token(request) -> str | None:
    return (request.headers.get(CART_TOKEN_HEADER) or "").strip()[:64] or None


def _cart_response(cart, *, status_code=status.HTTP_200_OK) -> Response:
    items = selectors.cart_items(cart=cart)
    totals = cart_services.cart_totals(cart=cart, items=items)
    response = Response(s.cart_data(cart=cart, items=items, totals=totals), status=status_code)
    if cart.token and cart.user_id is None:
        response[CART_TOKEN_HEADER] = cart.token
    return response


class CartApi(APIView):
    """The caller's cart: signed in, or anonymous by X-Cart-Token (created on the first call)."""

    permission_classes = [AllowAny]

    @extend_schema(tags=CART_TAGS, parameters=[CART_TOKEN], responses=s.CartSerializer)
    def get(self, request):
        cart = cart_services.cart_resolve(user=request.user, token=_token(request))
        return _cart_response(cart)


class CartItemCreateApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=CART_TAGS,
        parameters=[CART_TOKEN],
        request=s.CartItemInputSerializer,
        responses={201: s.CartSerializer, 409: OUT_OF_STOCK},
    )
    def post(self, request):
        serializer = s.CartItemInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        cart = cart_services.cart_resolve(user=request.user, token=_token(request))
        cart_services.cart_item_add(
            cart=cart, product_id=data.get("product"), sku=data.get("sku"), quantity=data["quantity"]
        )
        return _cart_response(cart, status_code=status.HTTP_201_CREATED)


class CartItemDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=CART_TAGS,
        parameters=[CART_TOKEN],
        request=s.CartItemUpdateSerializer,
        responses={200: s.CartSerializer, 409: OUT_OF_STOCK},
    )
    def patch(self, request, item_id: int):
        serializer = s.CartItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = cart_services.cart_require(user=request.user, token=_token(request))
        cart_services.cart_item_update(cart=cart, item_id=item_id, quantity=serializer.validated_data["quantity"])
        return _cart_response(cart)

    @extend_schema(tags=CART_TAGS, parameters=[CART_TOKEN], request=None, responses={200: s.CartSerializer})
    def delete(self, request, item_id: int):
        cart = cart_services.cart_require(user=request.user, token=_token(request))
        cart_services.cart_item_delete(cart=cart, item_id=item_id)
        return _cart_response(cart)


class CheckoutApi(APIView):
    """Turn the caller's cart into a pending_payment order (409 ``out_of_stock``, 400 ``cart_empty``)."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=ORDER_TAGS,
        parameters=[CART_TOKEN, IDEMPOTENCY_KEY],
        request=s.CheckoutInputSerializer,
        responses={
            201: s.OrderDetailSerializer,
            409: _error(f"out_of_stock (errors keyed by SKU), cart_merged, {IDEMPOTENCY_CONFLICT}."),
        },
    )
    @rate_limit("checkout", key="user_or_ip")
    def post(self, request):
        user = request.user if request.user.is_authenticated else None
        token = _token(request)
        owner = f"user:{user.pk}" if user else f"cart:{token or '-'}"

        def handler() -> Response:
            serializer = s.CheckoutInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            cart = cart_services.cart_resolve(user=request.user, token=token, create=False)
            if cart is None:
                raise ValidationError("The cart is empty.", code="cart_empty")
            order = order_checkout(
                cart=cart,
                user=user,
                idempotency_key=request.headers.get("Idempotency-Key", "")[:255],
                **serializer.validated_data,
            )
            order = selectors.order_get(number=order.number, user=request.user, cart_token=token)
            return Response(s.OrderDetailSerializer(order).data, status=status.HTTP_201_CREATED)

        return idempotent(request, scope="store.checkout", owner=owner, handler=handler)


class OrderListApi(APIView):
    """Customers: their orders. Store staff: every order. Filters status, created_from/created_to, search."""

    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination

    @extend_schema(tags=ORDER_TAGS, parameters=[s.OrderListQuerySerializer], responses=s.OrderSerializer(many=True))
    def get(self, request):
        query = s.OrderListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = {k: v for k, v in query.validated_data.items() if k not in ("page", "page_size")}
        queryset = selectors.order_list(user=request.user, filters=selectors.OrderFilters(**filters))
        paginator = StandardPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(s.OrderSerializer(page, many=True).data)


def _order_for(request, number: str):
    token = _token(request)
    if not request.user.is_authenticated and not token:
        raise NotAuthenticated()
    return selectors.order_get(number=number, user=request.user, cart_token=token)


class OrderDetailApi(APIView):
    """An order by number: its owner, store staff, or a guest with the checkout cart's X-Cart-Token."""

    permission_classes = [AllowAny]

    @extend_schema(tags=ORDER_TAGS, parameters=[CART_TOKEN], responses=s.OrderDetailSerializer)
    def get(self, request, number: str):
        return Response(s.OrderDetailSerializer(_order_for(request, number)).data)


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
        order = _order_for(request, number)
        order_services.order_cancel(
            order=order, actor=request.user, cart_token=_token(request), reason=serializer.validated_data["note"]
        )
        return Response(s.OrderDetailSerializer(_order_for(request, number)).data)


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


class OrderRefundApi(OrderFulfilApi):
    """Store staff: record a refund (paid: stock back on the shelf; fulfilled: stock stays out)."""

    service = staticmethod(order_services.order_refund)


class OrderPaymentCreateApi(APIView):
    """Start paying an unpaid order: a Stripe PaymentIntent for its total; returns the client secret."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=PAYMENT_TAGS,
        parameters=[CART_TOKEN, IDEMPOTENCY_KEY],
        request=None,
        responses={
            201: s.PaymentOutputSerializer,
            409: _error(f"invalid_transition (order not pending payment), {IDEMPOTENCY_CONFLICT}."),
            503: _error("payments_unavailable (no STRIPE_API_KEY) or payment_provider_error."),
        },
    )
    @rate_limit("payments", key="user_or_ip")
    def post(self, request, number: str):
        order = _order_for(request, number)
        owner = f"user:{request.user.pk}" if request.user.is_authenticated else f"cart:{_token(request)}"

        def handler() -> Response:
            started = payment_create(order=order, actor=request.user, cart_token=_token(request))
            return Response(s.PaymentOutputSerializer(started).data, status=status.HTTP_201_CREATED)

        return idempotent(request, scope=f"store.payment:{order.pk}", owner=owner, handler=handler)


class PaymentWebhookApi(APIView):
    """Provider webhooks (no auth: the signature is the proof). Bad signature → 400 ``invalid_signature``."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    provider = "stripe"

    @extend_schema(
        tags=PAYMENT_TAGS,
        request={"application/json": OpenApiTypes.OBJECT},
        responses=s.WebhookResultSerializer,
        auth=[],
        parameters=[OpenApiParameter("Stripe-Signature", OpenApiTypes.STR, OpenApiParameter.HEADER)],
    )
    @rate_limit("webhooks")
    def post(self, request):
        body = request.body  # the raw bytes the signature covers
        try:
            outcome = webhook_receive(
                provider=self.provider, body=body, headers=request.headers, request_id=current_request_id() or ""
            )
        except SignatureInvalid as exc:
            raise ValidationError("The webhook signature is missing or invalid.", code="invalid_signature") from exc
        return Response({"received": True, "result": outcome.result})


class RazorpayWebhookApi(PaymentWebhookApi):
    provider = "razorpay"

    @extend_schema(
        tags=PAYMENT_TAGS,
        request={"application/json": OpenApiTypes.OBJECT},
        responses=s.WebhookResultSerializer,
        auth=[],
        parameters=[OpenApiParameter("X-Razorpay-Signature", OpenApiTypes.STR, OpenApiParameter.HEADER)],
        operation_id="store_payments_webhook_razorpay",
    )
    def post(self, request):
        return super().post(request)
