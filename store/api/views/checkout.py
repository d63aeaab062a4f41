"""Checkout API: the caller's cart becomes a pending_payment order (retry-safe with Idempotency-Key)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.errors import ValidationError
from makrx.idempotency import idempotent
from makrx.ratelimit import rate_limit
from store.api.schema import CART_TOKEN, IDEMPOTENCY_CONFLICT, IDEMPOTENCY_KEY, cart_token, error_doc
from store.api.serializers import checkout as s
from store.api.serializers.orders import OrderDetailSerializer
from store.api.views.orders import ORDER_TAGS
from store.selectors import orders as selectors
from store.services import cart as cart_services
from store.services.checkout import order_checkout


class CheckoutApi(APIView):
    """Turn the caller's cart into a pending_payment order (409 ``out_of_stock``, 400 ``cart_empty``)."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=ORDER_TAGS,
        parameters=[CART_TOKEN, IDEMPOTENCY_KEY],
        request=s.CheckoutInputSerializer,
        responses={
            201: OrderDetailSerializer,
            409: error_doc(f"out_of_stock (errors keyed by SKU), cart_merged, {IDEMPOTENCY_CONFLICT}."),
        },
    )
    @rate_limit("checkout", key="user_or_ip")
    def post(self, request):
        user = request.user if request.user.is_authenticated else None
        token = cart_token(request)
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
                **serializer.validated_data,
            )
            order = selectors.order_get(number=order.number, user=request.user, cart_token=token)
            return Response(OrderDetailSerializer(order).data, status=status.HTTP_201_CREATED)

        return idempotent(request, scope="store.checkout", owner=owner, handler=handler)
