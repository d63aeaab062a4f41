"""Platform payment API: provider webhooks (``/api/v1/payments/{provider}/webhook``) and the Razorpay checkout
confirmation. The store's earlier webhook paths are these same views."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.errors import ValidationError
from makrx.logging import current_request_id
from makrx.payments import serializers as s
from makrx.payments.base import SignatureInvalid
from makrx.payments.models import Payment
from makrx.payments.services import payment_confirm_checkout
from makrx.payments.webhooks import webhook_process
from makrx.ratelimit import rate_limit, rate_limit_check

TAGS = ["payments"]


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response={"$ref": "#/components/schemas/Error"}, description=description)


WEBHOOK_RESPONSES = {
    200: s.WebhookResultSerializer,
    400: _error("invalid_signature: missing, invalid or stale signature, or not an event."),
    429: _error("rate_limited: too many deliveries (or too many invalid ones) from this address; see Retry-After."),
}


def webhook_schema(provider: str, header: str, operation_id: str | None = None):
    return extend_schema(
        tags=TAGS,
        request={"application/json": OpenApiTypes.OBJECT},
        responses=WEBHOOK_RESPONSES,
        auth=[],
        parameters=[OpenApiParameter(header, OpenApiTypes.STR, OpenApiParameter.HEADER)],
        operation_id=operation_id,
        description=f"{provider} webhook deliveries (no auth: the {header} signature is the proof).",
    )


class ProviderWebhookApi(APIView):
    """Provider webhooks. Bad signature → 400 ``invalid_signature``; too many bad ones from one client IP → 429
    with Retry-After and nothing written. Each verified event is applied once."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    queryset = Payment.objects.none()
    provider = "stripe"

    @rate_limit("webhooks")
    def post(self, request):
        body = request.body  # the raw bytes the signature covers
        try:
            outcome = webhook_process(
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


class StripeWebhookApi(ProviderWebhookApi):
    provider = "stripe"

    @webhook_schema("Stripe", "Stripe-Signature", "payments_stripe_webhook")
    def post(self, request):
        return super().post(request)


class RazorpayWebhookApi(ProviderWebhookApi):
    provider = "razorpay"

    @webhook_schema("Razorpay", "X-Razorpay-Signature", "payments_razorpay_webhook")
    def post(self, request):
        return super().post(request)


class RazorpayConfirmApi(APIView):
    """What Razorpay Checkout hands the browser on success (``razorpay_order_id``, ``razorpay_payment_id``,
    ``razorpay_signature``): the signature (HMAC-SHA256 of ``order_id|payment_id`` with the key secret) is
    verified and the payment captured with exactly the effects of the ``payment.captured`` webhook (whichever
    comes first; the other changes nothing)."""

    permission_classes = [AllowAny]
    queryset = Payment.objects.none()

    @extend_schema(
        tags=TAGS,
        request=s.RazorpayConfirmInputSerializer,
        responses={
            200: s.PaymentSerializer,
            400: _error("invalid_signature: the checkout signature does not match."),
            404: _error("not_found: no payment of ours for this Razorpay order."),
            503: _error("payments_unavailable: Razorpay is not configured."),
        },
    )
    @rate_limit("payments")
    def post(self, request):
        serializer = s.RazorpayConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = payment_confirm_checkout(provider="razorpay", data=serializer.validated_data, actor=request.user)
        return Response(s.PaymentSerializer(payment).data)
