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

CART_TAGS = ["store cart"]


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
        cart = cart_services.cart_resolve(user=request.user, token=cart_token(request))
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
        cart = cart_services.cart_resolve(user=request.user, token=cart_token(request))
        cart_services.cart_item_add(
            actor=request.user,
            cart=cart,
            product_id=data.get("product"),
            sku=data.get("sku"),
            quantity=data["quantity"],
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
        cart = cart_services.cart_require(user=request.user, token=cart_token(request))
        cart_services.cart_item_update(
            actor=request.user, cart=cart, item_id=item_id, quantity=serializer.validated_data["quantity"]
        )
        return _cart_response(cart)

    @extend_schema(tags=CART_TAGS, parameters=[CART_TOKEN], request=None, responses={200: s.CartSerializer})
    def delete(self, request, item_id: int):
        cart = cart_services.cart_require(user=request.user, token=cart_token(request))
        cart_services.cart_item_delete(actor=request.user, cart=cart, item_id=item_id)
        return _cart_response(cart)
