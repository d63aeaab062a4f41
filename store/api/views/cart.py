"""Cart API: the caller's cart (signed in, or anonymous by X-Cart-Token) and its lines."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from store.api.schema import CART_TOKEN, CART_TOKEN_HEADER, OUT_OF_STOCK, cart_token
from store.api.serializers import cart as s
from store.selectors import cart as selectors
from store.services import cart as cart_services
from store.services import coupons as coupon_services

CART_TAGS = ["store cart"]


def cart_response(cart, *, user=None, status_code=status.HTTP_200_OK) -> Response:
    """The cart as the API shows it, its coupon priced (a coupon that no longer fits: zero and its code)."""
    items = selectors.cart_items(cart=cart)
    code, discount, problem = coupon_services.cart_coupon_preview(cart=cart, items=items, user=user)
    totals = cart_services.cart_totals(cart=cart, items=items, discount=discount)
    data = s.cart_data(cart=cart, items=items, totals=totals, coupon=code, coupon_problem=problem)
    response = Response(data, status=status_code)
    if cart.token and cart.user_id is None:
        response[CART_TOKEN_HEADER] = cart.token
    return response


class CartApi(APIView):
    """The caller's cart: signed in, or anonymous by X-Cart-Token (created on the first call)."""

    permission_classes = [AllowAny]

    @extend_schema(tags=CART_TAGS, parameters=[CART_TOKEN], responses=s.CartSerializer)
    def get(self, request):
        cart = cart_services.cart_resolve(user=request.user, token=cart_token(request))
        return cart_response(cart, user=request.user)


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
        cart = cart_services.cart_resolve(user=request.user, token=cart_token(request))
        cart_services.cart_item_add(
            actor=request.user,
            cart=cart,
            product_id=data.get("product"),
            sku=data.get("sku"),
            quantity=data["quantity"],
        )
        return cart_response(cart, user=request.user, status_code=status.HTTP_201_CREATED)


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
        cart = cart_services.cart_require(user=request.user, token=cart_token(request))
        cart_services.cart_item_update(
            actor=request.user, cart=cart, item_id=item_id, quantity=serializer.validated_data["quantity"]
        )
        return cart_response(cart, user=request.user)

    @extend_schema(tags=CART_TAGS, parameters=[CART_TOKEN], request=None, responses={200: s.CartSerializer})
    def delete(self, request, item_id: int):
        cart = cart_services.cart_require(user=request.user, token=cart_token(request))
        cart_services.cart_item_delete(actor=request.user, cart=cart, item_id=item_id)
        return cart_response(cart, user=request.user)
