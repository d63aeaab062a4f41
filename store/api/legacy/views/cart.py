"""The earlier store front's cart calls (§5.3 #6-#8): the v1 cart services on the cart of the caller's
``X-Session-ID`` (guests) or user (signed in; the session's guest cart is merged in first)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.errors import NotFound
from store.api.legacy.serializers import cart as s
from store.api.legacy.session import INVALID_SESSION, LEGACY_TAGS, SESSION_ID, session_id, session_id_required
from store.api.schema import OUT_OF_STOCK, error_doc
from store.selectors import cart as selectors
from store.services import cart as cart_services


class LegacyCartApi(APIView):
    """§5.3 #6: the caller's cart. A guest who never added anything gets an empty cart (nothing is stored)."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=LEGACY_TAGS,
        operation_id="legacy_cart",
        parameters=[SESSION_ID],
        responses={200: s.LegacyCartAnswerSerializer, 400: INVALID_SESSION},
    )
    def get(self, request):
        session = session_id(request)
        cart = cart_services.cart_resolve_by_session(user=request.user, session_id=session, create=False)
        items = selectors.cart_items(cart=cart) if cart is not None else []
        totals = cart_services.cart_totals(cart=cart, items=items)
        return Response(s.cart_answer(cart=cart, items=items, totals=totals, session_id=session))


class LegacyCartAddApi(APIView):
    """§5.3 #7: add units of a product (an existing line grows); 409 ``out_of_stock`` beyond what is available."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=LEGACY_TAGS,
        operation_id="legacy_cart_add",
        parameters=[SESSION_ID],
        request=s.LegacyCartAddSerializer,
        responses={200: s.LegacyMessageSerializer, 409: OUT_OF_STOCK},
    )
    def post(self, request):
        session = session_id_required(request)
        serializer = s.LegacyCartAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = cart_services.cart_resolve_by_session(user=request.user, session_id=session)
        cart_services.cart_item_add(
            actor=request.user,
            cart=cart,
            product_id=serializer.validated_data["product_id"],
            quantity=serializer.validated_data["quantity"],
        )
        return Response({"message": "Item added to cart"})


def _caller_cart(request):
    cart = cart_services.cart_resolve_by_session(user=request.user, session_id=session_id(request), create=False)
    if cart is None:
        raise NotFound("There is no cart yet.", code="cart_not_found")
    return cart


class LegacyCartItemApi(APIView):
    """§5.3 #8: change a line's quantity (0 removes it) or remove it; lines of another cart are 404."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=LEGACY_TAGS,
        operation_id="legacy_cart_item_update",
        parameters=[SESSION_ID],
        request=s.LegacyCartItemUpdateSerializer,
        responses={200: s.LegacyMessageSerializer, 409: OUT_OF_STOCK},
    )
    def put(self, request, item_id: int):
        serializer = s.LegacyCartItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart_services.cart_item_update(
            actor=request.user,
            cart=_caller_cart(request),
            item_id=item_id,
            quantity=serializer.validated_data["quantity"],
        )
        return Response({"message": "Cart updated"})

    @extend_schema(
        tags=LEGACY_TAGS,
        operation_id="legacy_cart_item_delete",
        parameters=[SESSION_ID],
        request=None,
        responses={200: s.LegacyMessageSerializer, 400: INVALID_SESSION, 404: error_doc("cart_item_not_found.")},
    )
    def delete(self, request, item_id: int):
        cart_services.cart_item_delete(actor=request.user, cart=_caller_cart(request), item_id=item_id)
        return Response({"message": "Item removed from cart"})
