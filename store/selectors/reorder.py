"""Reads for quick reorder: a customer's lists, and suggestions computed from their order history in SQL."""

from __future__ import annotations

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Prefetch,
    QuerySet,
    Sum,
)

from makrx.errors import NotFound
from store.models import Order, OrderLine, ReorderLine, ReorderList

# Orders that really happened (paid, shipped): cancelled, refunded and unpaid ones say nothing of a habit.
HISTORY_STATUSES = (Order.Status.PAID, Order.Status.FULFILLED)
MIN_ORDERS = 2


def reorder_list_list(*, user) -> QuerySet[ReorderList]:
    """The caller's lists, newest first, lines prefetched (two queries whatever the page size)."""
    return (
        ReorderList.objects.filter(user=user)
        .select_related("source_order")
        .prefetch_related(Prefetch("lines", queryset=ReorderLine.objects.order_by("id")))
        .order_by("-created_at", "-id")
    )


def reorder_list_get(*, user, list_id: int) -> ReorderList:
    """One of the caller's lists; anyone else's is 404."""
    reorder_list = reorder_list_list(user=user).filter(pk=list_id).first() if user.is_authenticated else None
    if reorder_list is None:
        raise NotFound("No such reorder list.", code="reorder_list_not_found")
    return reorder_list


def reorder_suggestions(*, user) -> QuerySet:
    """Products the customer bought in at least two paid orders, one grouped SQL query: how many orders, units in
    all, first and last purchase, and the usual interval (the mean gap between first and last purchase:
    ``(last - first) / (orders - 1)``). Most regular buys first. Rows are dicts."""
    return (
        OrderLine.objects.filter(order__user=user, order__status__in=HISTORY_STATUSES, product__isnull=False)
        .values("product_id", "product__sku", "product__slug", "product__name", "product__active")
        .annotate(
            order_count=Count("order_id", distinct=True),
            total_quantity=Sum("quantity"),
            first_ordered_at=Min("order__created_at"),
            last_ordered_at=Max("order__created_at"),
        )
        .filter(order_count__gte=MIN_ORDERS)
        .annotate(
            usual_interval=ExpressionWrapper(
                (F("last_ordered_at") - F("first_ordered_at")) / (F("order_count") - 1), output_field=DurationField()
            ),
        )
        .order_by("-order_count", "-last_ordered_at", "product_id")
    )
