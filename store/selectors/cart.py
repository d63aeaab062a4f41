"""Reads for carts."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makrx.auth.roles import is_store_staff
from store.models import Cart, CartItem


def owned_by_caller(queryset: QuerySet, *, user, cart_token: str | None) -> QuerySet:
    """Rows with ``user`` and ``cart`` fields that the caller may see: store staff all; a signed-in customer
    their own; a guest those made with the cart whose token they hold (never a signed-in customer's)."""
    if is_store_staff(user):
        return queryset
    condition = Q(pk__in=[])
    if getattr(user, "is_authenticated", False):
        condition |= Q(user=user)
    if cart_token:
        condition |= Q(user__isnull=True, cart__token=cart_token)
    return queryset.filter(condition)


def cart_items(*, cart: Cart) -> list[CartItem]:
    """The cart's lines with their products and stock (one query)."""
    if cart.pk is None:
        return []
    return list(cart.items.select_related("product__stock").order_by("id"))
