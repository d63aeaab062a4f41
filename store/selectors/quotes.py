"""Reads for materials and quotes."""

from __future__ import annotations

from django.db.models import QuerySet

from makrx.errors import NotFound
from store.models import Material, Quote
from store.selectors.cart import owned_by_caller


def material_list(*, process: str | None = None) -> QuerySet[Material]:
    queryset = Material.objects.filter(active=True)
    if process:
        queryset = queryset.filter(process=process)
    return queryset.order_by("process", "name", "pk")


def quote_visible(*, user, cart_token: str | None) -> QuerySet[Quote]:
    queryset = Quote.objects.select_related("material", "upload")
    return owned_by_caller(queryset, user=user, cart_token=cart_token)


def quote_get(*, quote_id: int, user, cart_token: str | None = None) -> Quote:
    quote = quote_visible(user=user, cart_token=cart_token).filter(pk=quote_id).first()
    if quote is None:
        raise NotFound("No such quote.", code="quote_not_found")
    return quote
