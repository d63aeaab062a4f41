"""Reads for service orders: customers their own (a guest by cart token), store staff all."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from makrx.errors import NotFound
from store.models import ServiceOrder, ServiceOrderEvent
from store.selectors.cart import owned_by_caller


def service_order_visible(*, user, cart_token: str | None = None) -> QuerySet[ServiceOrder]:
    queryset = ServiceOrder.objects.select_related("order", "quote", "quote__material", "quote__upload")
    return owned_by_caller(queryset, user=user, cart_token=cart_token)


def service_order_list(*, user, cart_token: str | None = None) -> QuerySet[ServiceOrder]:
    return service_order_visible(user=user, cart_token=cart_token).order_by("-created_at", "-id")


def service_order_get(*, service_order_id: int, user, cart_token: str | None = None) -> ServiceOrder:
    service_order = (
        service_order_visible(user=user, cart_token=cart_token)
        .prefetch_related(Prefetch("events", queryset=ServiceOrderEvent.objects.order_by("created_at", "id")))
        .filter(pk=service_order_id)
        .first()
    )
    if service_order is None:
        raise NotFound("No such service order.", code="service_order_not_found")
    return service_order
