"""Payment API: start paying an order, staff marking it paid offline or refunding it, and the providers' webhook
deliveries on the store's paths (the platform's flow, ``makrx.payments``)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.api.permissions import IsStoreStaff
from makrx.errors import ValidationError
from makrx.idempotency import idempotent
from makrx.logging import current_request_id
from makrx.payments import SignatureInvalid
from makrx.ratelimit import rate_limit, rate_limit_check
from store.api.schema import CART_TOKEN, IDEMPOTENCY_CONFLICT, IDEMPOTENCY_KEY, TRANSITION, cart_token, error_doc
from store.api.serializers import payments as s
from store.api.serializers.orders import OrderDetailSerializer
from store.api.views.orders import order_for_request
from store.selectors import orders as selectors
from store.services.payments import order_mark_paid_offline, order_refund_money, payment_create, webhook_receive

PAYMENT_TAGS = ["store payments"]
WEBHOOK_RESPONSES = {
    200: s.WebhookResultSerializer,
    400: error_doc("invalid_signature: missing or invalid signature, or not an event."),
    429: error_doc("rate_limited: too many deliveries (or too many invalid ones) from this address; see Retry-After."),
}


class OrderPaymentCreateApi(APIView):
    """Start paying an unpaid order with ``{"provider": "stripe"|"razorpay"}`` (default stripe): a Stripe
    PaymentIntent (its client secret) or a Razorpay order (``checkout`` options for checkout.js) for its total."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=PAYMENT_TAGS,
        parameters=[CART_TOKEN, IDEMPOTENCY_KEY],
        request=s.PaymentInputSerializer,
        responses={
            201: s.PaymentOutputSerializer,
            409: error_doc(f"invalid_transition (order not pending payment), {IDEMPOTENCY_CONFLICT}."),
            503: error_doc("payments_unavailable (provider not configured) or payment_provider_error."),
        },
    )
    @rate_limit("payments", key="user_or_ip")
    def post(self, request, number: str):
        serializer = s.PaymentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_for_request(request, number)
        owner = f"user:{request.user.pk}" if request.user.is_authenticated else f"cart:{cart_token(request)}"

        def handler() -> Response:
            started = payment_create(
                order=order,
                actor=request.user,
                cart_token=cart_token(request),
                provider=serializer.validated_data["provider"],
            )
            return Response(s.PaymentOutputSerializer(started).data, status=status.HTTP_201_CREATED)

        return idempotent(request, scope=f"store.payment:{order.pk}", owner=owner, handler=handler)


class OrderMarkPaidApi(APIView):
    """Store staff: the customer paid outside the gateway (``cash``, ``bank_transfer``, ``upi_offline``). The
    order becomes paid exactly as a provider payment makes it (stock sold, service order paid, customer told)."""

    permission_classes = [IsStoreStaff]

    @extend_schema(
        tags=PAYMENT_TAGS,
        request=s.MarkPaidInputSerializer,
        responses={200: OrderDetailSerializer, 409: TRANSITION},
    )
    def post(self, request, number: str):
        serializer = s.MarkPaidInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = selectors.order_get(number=number, user=request.user)
        order_mark_paid_offline(order=order, actor=request.user, **serializer.validated_data)
        return Response(OrderDetailSerializer(selectors.order_get(number=number, user=request.user)).data)


class OrderRefundApi(APIView):
    """Store staff: refund ``amount`` (default: all still paid) of a paid or fulfilled order to the original
    payment (sent to Stripe/Razorpay; offline payments recorded as given back). The order becomes ``refunded``
    when nothing paid is left (stock back on the shelf unless it shipped)."""

    permission_classes = [IsStoreStaff]

    @extend_schema(
        tags=PAYMENT_TAGS,
        request=s.RefundInputSerializer,
        responses={
            200: OrderDetailSerializer,
            409: error_doc("invalid_transition (not paid), refund_exceeds_paid (more than is left to refund)."),
            503: error_doc("payments_unavailable: the payment's provider is not configured."),
        },
    )
    def post(self, request, number: str):
        serializer = s.RefundInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = selectors.order_get(number=number, user=request.user)
        order_refund_money(
            order=order, actor=request.user, amount=data["amount"], reason=data["reason"] or data["note"]
        )
        return Response(OrderDetailSerializer(selectors.order_get(number=number, user=request.user)).data)


class PaymentWebhookApi(APIView):
    """Provider webhooks (no auth: the signature is the proof). Bad signature → 400 ``invalid_signature``;
    too many bad ones from one client IP → 429 with Retry-After."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    provider = "stripe"

    @extend_schema(
        tags=PAYMENT_TAGS,
        request={"application/json": OpenApiTypes.OBJECT},
        responses=WEBHOOK_RESPONSES,
        auth=[],
        parameters=[OpenApiParameter("Stripe-Signature", OpenApiTypes.STR, OpenApiParameter.HEADER)],
    )
    @rate_limit("webhooks")
    def post(self, request):
        body = request.body  # the raw bytes the signature covers
        try:
            outcome = webhook_receive(
                provider=self.provider,
                body=body,
                headers=request.headers,
                request_id=current_request_id() or "",
                client_ip=getattr(request, "client_ip", None),
                # Deliveries that fail verification have a budget of their own per client IP: over it, 429
                # with Retry-After and nothing written, so a flood of forgeries writes a bounded number of rows.
                admit_rejected=lambda: rate_limit_check(request, "webhooks_rejected"),
            )
        except SignatureInvalid as exc:
            raise ValidationError("The webhook signature is missing or invalid.", code="invalid_signature") from exc
        return Response({"received": True, "result": outcome.result})


class RazorpayWebhookApi(PaymentWebhookApi):
    provider = "razorpay"

    @extend_schema(
        tags=PAYMENT_TAGS,
        request={"application/json": OpenApiTypes.OBJECT},
        responses=WEBHOOK_RESPONSES,
        auth=[],
        parameters=[OpenApiParameter("X-Razorpay-Signature", OpenApiTypes.STR, OpenApiParameter.HEADER)],
        operation_id="store_payments_webhook_razorpay",
    )
    def post(self, request):
        return super().post(request)
