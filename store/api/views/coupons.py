"""Coupon API: apply a code to the caller's cart (signed in, or anonymous by X-Cart-Token), or take it off."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from store.api.schema import CART_TOKEN, cart_token, error_doc
from store.api.serializers import coupons as s
from store.api.serializers.cart import CartSerializer
from store.api.views.cart import CART_TAGS, cart_response
from store.services import cart as cart_services
from store.services import coupons as services

COUPON_REFUSED = error_doc(
    "coupon_expired, coupon_exhausted, coupon_minimum_not_met or coupon_not_applicable (400: coupon_invalid)."
)


class CartCouponApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=CART_TAGS,
        parameters=[CART_TOKEN],
        request=s.CouponApplySerializer,
        responses={200: CartSerializer, 400: error_doc("coupon_invalid, cart_empty"), 409: COUPON_REFUSED},
    )
    def post(self, request):
        serializer = s.CouponApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = cart_services.cart_resolve(user=request.user, token=cart_token(request))
        services.cart_coupon_apply(actor=request.user, cart=cart, code=serializer.validated_data["code"])
        return cart_response(cart, user=request.user)

    @extend_schema(tags=CART_TAGS, parameters=[CART_TOKEN], request=None, responses={204: None})
    def delete(self, request):
        cart = cart_services.cart_resolve(user=request.user, token=cart_token(request), create=False)
        if cart is not None:
            services.cart_coupon_remove(actor=request.user, cart=cart)
        return Response(status=status.HTTP_204_NO_CONTENT)
