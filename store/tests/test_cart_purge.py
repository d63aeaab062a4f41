"""Abandoned anonymous carts are purged; carts with orders and signed-in carts stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from store.models import Cart, CartItem
from store.tasks import purge_abandoned_carts_task
from store.tests.factories import CartFactory, CartItemFactory, OrderFactory

pytestmark = pytest.mark.django_db


def _age(cart, *, hours=0, days=0):
    when = timezone.now() - timedelta(hours=hours, days=days)
    Cart.objects.filter(pk=cart.pk).update(updated_at=when)
    CartItem.objects.filter(cart=cart).update(updated_at=when)


def test_purge_keeps_what_someone_may_come_back_to(settings):
    settings.STORE_EMPTY_CART_TTL_HOURS = 24
    settings.STORE_ANONYMOUS_CART_TTL_DAYS = 30
    # Given
    empty_old = CartFactory(user=None)
    _age(empty_old, hours=30)
    empty_recent = CartFactory(user=None)
    _age(empty_recent, hours=2)
    filled_old = CartFactory(user=None)
    CartItemFactory(cart=filled_old)
    _age(filled_old, days=10)
    filled_ancient = CartFactory(user=None)
    CartItemFactory(cart=filled_ancient)
    _age(filled_ancient, days=40)
    ordered_ancient = CartFactory(user=None)
    OrderFactory(user=None, cart=ordered_ancient)
    _age(ordered_ancient, days=40)
    user_cart = CartFactory()
    _age(user_cart, days=400)
    recently_touched_items = CartFactory(user=None)
    CartItemFactory(cart=recently_touched_items)
    _age(recently_touched_items, days=40)
    CartItem.objects.filter(cart=recently_touched_items).update(updated_at=timezone.now())

    # When
    purged = purge_abandoned_carts_task.delay().get()

    # Then
    assert purged == 2
    remaining = set(Cart.objects.values_list("pk", flat=True))
    assert remaining == {empty_recent.pk, filled_old.pk, ordered_ancient.pk, user_cart.pk, recently_touched_items.pk}
    assert purge_abandoned_carts_task.delay().get() == 0
