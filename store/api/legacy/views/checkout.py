"""The earlier store front's checkout (§5.3 #9): v1 ``order_checkout`` on the caller's cart, then the payment
through the provider layer when that provider is configured (its client secret is the ``payment_intent``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.errors import ServiceUnavailable, ValidationError
from makrx.idempotency import idempotent
from makrx.payments import get_provider
from makrx.ratelimit import rate_limit
from store.api.legacy.serializers import checkout as s
from store.api.legacy.serializers.orders import ORDER_STATUSES
from store.api.legacy.session import LEGACY_TAGS, SESSION_ID, session_id_required
from store.api.schema import IDEMPOTENCY_CONFLICT, IDEMPOTENCY_KEY, error_doc
from store.models.cart import session_key_hash
from store.services import cart as cart_services
from store.services.checkout import order_checkout
from store.services.payments import payment_create


def _address(data: dict | None) -> dict:
    return {key: value for key, value in (data or {}).items() if value not in (None, "")}


def _payment_intent(*, order, actor, cart, provider: str) -> str | None:
    """The provider's client secret for the new order, or ``None`` when that provider is not configured or
    cannot start a payment now: the order stands (pending payment, stock reserved until it expires) and the
    app may pay it later (v1 ``POST /api/v1/store/orders/{number}/payment/``)."""
    if not get_provider(provider).is_configured():
        return None
    try:
        started = payment_create(order=order, actor=actor, cart_token=cart.token, provider=provider)
    except ServiceUnavailable:
        return None
    # Stripe: the PaymentIntent's client secret; Razorpay: the order id that checkout.js opens.
    return started.client_secret or started.payment.provider_ref


class LegacyCheckoutApi(APIView):
    """§5.3 #9: the caller's cart becomes a pending-payment order (retry-safe with ``Idempotency-Key``)."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=LEGACY_TAGS,
        operation_id="legacy_orders_checkout",
        parameters=[SESSION_ID, IDEMPOTENCY_KEY],
        request=s.LegacyCheckoutSerializer,
        responses={
            201: s.LegacyCheckoutAnswerSerializer,
            400: error_doc("Invalid input, cart_empty, coupon_invalid, invalid_session_id, session_id_required."),
            409: error_doc(
                f"out_of_stock (errors keyed by SKU), cart_merged, coupon_expired, coupon_exhausted, "
                f"coupon_minimum_not_met, coupon_not_applicable, {IDEMPOTENCY_CONFLICT}."
            ),
        },
    )
    @rate_limit("checkout", key="user_or_ip")
    def post(self, request):
        session = session_id_required(request)
        user = request.user if request.user.is_authenticated else None
        owner = f"user:{user.pk}" if user else f"session:{session_key_hash(session)}"

        def handler() -> Response:
            serializer = s.LegacyCheckoutSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            cart = cart_services.cart_resolve_by_session(user=request.user, session_id=session, create=False)
            if cart is None:
                raise ValidationError("The cart is empty.", code="cart_empty")
            shipping = _address(data["shipping_address"])
            shipping["shipping_method"] = data["shipping_method"] or "standard"
            order = order_checkout(
                cart=cart,
                user=user,
                email=data["email"] or shipping.get("email", ""),
                shipping_address=shipping,
                billing_address=_address(data["billing_address"] or data["shipping_address"]),
                notes=data["notes"] or "",
                coupon_code=(data["coupon_code"] or "").strip(),
            )
            intent = _payment_intent(order=order, actor=request.user, cart=cart, provider=data["payment_method"])
            answer = {
                "order_id": order.pk,
                "order_number": order.number,
                "status": ORDER_STATUSES[order.status][0],
                "total": f"{order.total:.2f}",
                "currency": order.currency,
                "payment_method": data["payment_method"],
                "payment_intent": intent,
            }
            return Response(answer, status=status.HTTP_201_CREATED)

        return idempotent(request, scope="store.legacy_checkout", owner=owner, handler=handler)
