"""Payment API: start paying an order, and the providers' webhook deliveries."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.errors import ValidationError
from makrx.idempotency import idempotent
from makrx.logging import current_request_id
from makrx.ratelimit import rate_limit, rate_limit_check
from store.api.schema import CART_TOKEN, IDEMPOTENCY_CONFLICT, IDEMPOTENCY_KEY, cart_token, error_doc
from store.api.serializers import payments as s
from store.api.views.orders import order_for_request
from store.payments import SignatureInvalid
from store.services.payments import payment_create, webhook_receive

PAYMENT_TAGS = ["store payments"]
WEBHOOK_RESPONSES = {
    200: s.WebhookResultSerializer,
    400: error_doc("invalid_signature: missing or invalid signature, or not an event."),
    429: error_doc("rate_limited: too many deliveries (or too many invalid ones) from this address; see Retry-After."),
}


class OrderPaymentCreateApi(APIView):
    """Start paying an unpaid order: a Stripe PaymentIntent for its total; returns the client secret."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=PAYMENT_TAGS,
        parameters=[CART_TOKEN, IDEMPOTENCY_KEY],
        request=None,
        responses={
            201: s.PaymentOutputSerializer,
            409: error_doc(f"invalid_transition (order not pending payment), {IDEMPOTENCY_CONFLICT}."),
            503: error_doc("payments_unavailable (no STRIPE_API_KEY) or payment_provider_error."),
        },
    )
    @rate_limit("payments", key="user_or_ip")
    def post(self, request, number: str):
        order = order_for_request(request, number)
        owner = f"user:{request.user.pk}" if request.user.is_authenticated else f"cart:{cart_token(request)}"

        def handler() -> Response:
            started = payment_create(order=order, actor=request.user, cart_token=cart_token(request))
            return Response(s.PaymentOutputSerializer(started).data, status=status.HTTP_201_CREATED)

        return idempotent(request, scope=f"store.payment:{order.pk}", owner=owner, handler=handler)


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
