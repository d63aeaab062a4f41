"""The earlier store front's orders (§5.3 #10): the caller's own orders by numeric id and paginated, from the
v1 order selectors, statuses through ``serializers.orders.ORDER_STATUSES``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from store.api.legacy.serializers import orders as s
from store.api.legacy.session import INVALID_SESSION, LEGACY_TAGS, SESSION_ID, caller_required
from store.selectors import orders as selectors


class LegacyOrderListApi(APIView):
    """The caller's orders, newest first, ``page``/``per_page``: a user's, or a guest's by ``X-Session-ID``."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=LEGACY_TAGS,
        operation_id="legacy_orders_list",
        parameters=[SESSION_ID, s.LegacyOrderListQuerySerializer],
        responses={200: s.LegacyOrderListSerializer, 400: INVALID_SESSION},
    )
    def get(self, request):
        session = caller_required(request)
        query = s.LegacyOrderListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page, per_page = query.validated_data["page"], query.validated_data["per_page"]
        orders = selectors.order_list_of_caller(user=request.user, session_id=session)
        total = orders.count()
        offset = (page - 1) * per_page
        rows = list(orders[offset : offset + per_page]) if offset < total else []
        return Response(s.order_page(orders=rows, total=total, page=page, per_page=per_page))


class LegacyOrderDetailApi(APIView):
    """One of the caller's orders by numeric id; anyone else's (store staff included) is 404."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=LEGACY_TAGS,
        operation_id="legacy_order",
        parameters=[SESSION_ID],
        responses={200: s.LegacyOrderSerializer, 400: INVALID_SESSION},
    )
    def get(self, request, order_id: int):
        session = caller_required(request)
        order = selectors.order_get_of_caller(order_id=order_id, user=request.user, session_id=session)
        return Response(s.legacy_order(order))
