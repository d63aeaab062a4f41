"""Payment API: start paying an order, staff marking it paid offline or refunding it, and the providers' webhook
deliveries on the store's paths (the platform's flow, ``makrx.payments``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.api.permissions import IsStoreStaff
from makrx.idempotency import idempotent
from makrx.payments.views import ProviderWebhookApi, webhook_schema
from makrx.ratelimit import rate_limit
from store.api.schema import CART_TOKEN, IDEMPOTENCY_CONFLICT, IDEMPOTENCY_KEY, TRANSITION, cart_token, error_doc
from store.api.serializers import payments as s
from store.api.serializers.orders import OrderDetailSerializer
from store.api.views.orders import order_for_request
from store.selectors import orders as selectors
from store.services.payments import order_mark_paid_offline, order_refund_money, payment_create

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
            409: error_doc(
                "invalid_transition (not paid), refund_exceeds_paid (more than is left to refund), "
                "refund_failed (the provider refused; recorded)."
            ),
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


class PaymentWebhookApi(ProviderWebhookApi):
    """The store's Stripe webhook path (kept for providers configured with it): the platform's flow."""

    provider = "stripe"

    @webhook_schema("Stripe", "Stripe-Signature")
    def post(self, request):
        return super().post(request)


class RazorpayWebhookApi(ProviderWebhookApi):
    """The store's Razorpay webhook path (kept for providers configured with it): the platform's flow."""

    provider = "razorpay"

    @webhook_schema("Razorpay", "X-Razorpay-Signature", "store_payments_webhook_razorpay")
    def post(self, request):
        return super().post(request)
