"""Reads for carts."""

from __future__ import annotations

from store.models import Cart, CartItem


def cart_items(*, cart: Cart) -> list[CartItem]:
    """The cart's lines with their products and stock (one query)."""
    if cart.pk is None:
        return []
    return list(cart.items.select_related("product__stock").order_by("id"))
