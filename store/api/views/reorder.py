"""Quick reorder API: the caller's saved lists, a list into the cart, and suggestions from their order history."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.api.pagination import StandardPagination
from store.api.schema import error_doc
from store.api.serializers import reorder as s
from store.api.serializers.cart import cart_data
from store.models import ReorderList
from store.selectors import cart as cart_selectors
from store.selectors import reorder as selectors
from store.services import cart as cart_services
from store.services import coupons as coupon_services
from store.services import reorder as services

REORDER_TAGS = ["store reorder"]
NOT_FOUND = error_doc("reorder_list_not_found: not one of your lists.")


class ReorderListApi(GenericAPIView):
    """The caller's reorder lists; create one from lines or from one of their orders."""

    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination
    serializer_class = s.ReorderListSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReorderList.objects.none()
        return selectors.reorder_list_list(user=self.request.user)

    @extend_schema(tags=REORDER_TAGS, responses=s.ReorderListSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ReorderListSerializer(page, many=True).data)

    @extend_schema(
        tags=REORDER_TAGS,
        request=s.ReorderListCreateSerializer,
        responses={201: s.ReorderListSerializer, 404: error_doc("order_not_found"), 409: error_doc("order_empty")},
    )
    def post(self, request):
        serializer = s.ReorderListCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "from_order" in data:
            created = services.reorder_list_from_order(
                actor=request.user, order_number=data["from_order"], name=data.get("name", "")
            )
        else:
            created = services.reorder_list_create(actor=request.user, name=data["name"], lines=data["lines"])
        reorder_list = selectors.reorder_list_get(user=request.user, list_id=created.pk)
        return Response(s.ReorderListSerializer(reorder_list).data, status=status.HTTP_201_CREATED)


class ReorderListDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=REORDER_TAGS, responses={200: s.ReorderListSerializer, 404: NOT_FOUND})
    def get(self, request, id: int):
        return Response(s.ReorderListSerializer(selectors.reorder_list_get(user=request.user, list_id=id)).data)

    @extend_schema(
        tags=REORDER_TAGS,
        request=s.ReorderListUpdateSerializer,
        responses={200: s.ReorderListSerializer, 404: NOT_FOUND},
    )
    def patch(self, request, id: int):
        serializer = s.ReorderListUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reorder_list = selectors.reorder_list_get(user=request.user, list_id=id)
        services.reorder_list_update(actor=request.user, reorder_list=reorder_list, **serializer.validated_data)
        return Response(s.ReorderListSerializer(selectors.reorder_list_get(user=request.user, list_id=id)).data)

    @extend_schema(tags=REORDER_TAGS, request=None, responses={204: None, 404: NOT_FOUND})
    def delete(self, request, id: int):
        reorder_list = selectors.reorder_list_get(user=request.user, list_id=id)
        services.reorder_list_delete(actor=request.user, reorder_list=reorder_list)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReorderListToCartApi(APIView):
    """Every line into the caller's cart; short and unknown lines reported (200 even when some were short)."""

    permission_classes = [IsAuthenticated]
    http_method_names = ["post", "options"]

    @extend_schema(tags=REORDER_TAGS, request=None, responses={200: s.ToCartSerializer, 404: NOT_FOUND})
    def post(self, request, id: int):
        reorder_list = selectors.reorder_list_get(user=request.user, list_id=id)
        cart = cart_services.cart_resolve(user=request.user, token=None)
        result = services.reorder_list_to_cart(actor=request.user, reorder_list=reorder_list, cart=cart)
        items = cart_selectors.cart_items(cart=cart)
        code, discount, problem = coupon_services.cart_coupon_preview(cart=cart, items=items, user=request.user)
        totals = cart_services.cart_totals(cart=cart, items=items, discount=discount)
        lines = s.ToCartLinesSerializer({"added": result.added, "short": result.short, "unknown": result.unknown})
        cart_json = cart_data(cart=cart, items=items, totals=totals, coupon=code, coupon_problem=problem)
        return Response({**lines.data, "cart": cart_json})


class ReorderSuggestionsApi(GenericAPIView):
    """Products the caller bought in at least two paid orders, with their usual interval (computed in SQL)."""

    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination
    serializer_class = s.SuggestionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReorderList.objects.none()
        return selectors.reorder_suggestions(user=self.request.user)

    @extend_schema(tags=REORDER_TAGS, responses=s.SuggestionSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.SuggestionSerializer(page, many=True).data)
