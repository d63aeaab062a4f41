"""Reads for orders: prefetched so a page costs the same number of queries at any size."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from makrx.auth.roles import is_store_staff
from makrx.errors import NotFound
from makrx.payments.models import Payment
from store.models import Cart, Order, OrderEvent, OrderLine
from store.models.cart import session_key_hash

ORDER_PAYMENT_PURPOSE = "store.order"


def order_list(*, user) -> QuerySet[Order]:
    """Store staff see every order; customers their own. Lines prefetched. (List filters: ``api/filters.py``.)"""
    queryset = Order.objects.select_related("user").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    )
    if not is_store_staff(user):
        queryset = queryset.filter(user=user)
    return queryset.order_by("-created_at", "-id")


def order_get(*, number: str, user, cart_token: str | None = None) -> Order:
    """One order with lines, events and payments, if the caller may see it (owner, store staff, or the guest
    holding the checkout cart's token); otherwise 404 (no hint that the number exists)."""
    order = (
        Order.objects.select_related("user", "cart")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
            Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "id")),
        )
        .filter(number=number)
        .first()
    )
    if order is not None and (
        is_store_staff(user)
        or (getattr(user, "is_authenticated", False) and order.user_id == user.pk)
        or (order.user_id is None and cart_token and order.cart is not None and order.cart.token == cart_token)
    ):
        # The platform's payment records of this order (makrx.payments, purpose store.order).
        order.payments = list(
            Payment.objects.filter(purpose=ORDER_PAYMENT_PURPOSE, reference=order.number).order_by("created_at", "id")
        )
        return order
    raise NotFound("No such order.", code="order_not_found")


def order_list_of_caller(*, user, session_id: str | None = None) -> QuerySet[Order]:
    """The caller's own orders, newest first, lines prefetched: a signed-in user's, or a guest's placed from the
    carts of their ``X-Session-ID`` (the earlier store front). Nobody else's, store staff included."""
    queryset = Order.objects.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
    if getattr(user, "is_authenticated", False):
        queryset = queryset.filter(user=user)
    elif session_id:
        carts = Cart.objects.filter(session_key_hash=session_key_hash(session_id), user__isnull=True)
        queryset = queryset.filter(user__isnull=True, cart__in=carts.values("pk"))
    else:
        queryset = queryset.none()
    return queryset.order_by("-created_at", "-id")


def order_get_of_caller(*, order_id: int, user, session_id: str | None = None) -> Order:
    """One of the caller's own orders by its numeric id (``order_list_of_caller``); anyone else's is 404."""
    order = order_list_of_caller(user=user, session_id=session_id).filter(pk=order_id).first()
    if order is None:
        raise NotFound("No such order.", code="order_not_found")
    return order
