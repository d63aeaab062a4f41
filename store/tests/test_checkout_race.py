"""Concurrent checkouts on PostgreSQL: never oversold, never negative, no deadlocks."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from makrx.tests.races import run_concurrently
from store.models import Order, StockLevel
from store.tests.factories import CartFactory, CartItemFactory, ProductFactory, UserFactory

CHECKOUT = "/api/v1/store/checkout/"


@pytest.mark.django_db(transaction=True)
def test_thirty_buyers_for_ten_units(settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    settings.RATELIMIT_ENABLE = False
    product = ProductFactory(stock=10)
    clients = []
    for n in range(30):
        user = UserFactory(username=f"racer{n}")
        CartItemFactory(cart=CartFactory(user=user), product=product, quantity=1)
        client = APIClient()
        client.force_authenticate(user=user)
        clients.append(client)
    responses = run_concurrently(
        lambda index: clients[index].post(CHECKOUT, {}, format="json"), len(clients), reraise=True
    )
    results = [(response.status_code, response.json().get("code", "")) for response in responses]

    assert sorted(status for status, _ in results).count(201) == 10
    assert [code for status, code in results if status != 201] == ["out_of_stock"] * 20
    level = StockLevel.objects.get(product=product)
    assert (level.on_hand, level.reserved) == (10, 10)
    assert Order.objects.count() == 10


@pytest.mark.django_db(transaction=True)
def test_crossing_carts_do_not_deadlock(settings):
    """Carts holding the same two products in opposite insertion order: fixed lock order means no deadlock."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    settings.RATELIMIT_ENABLE = False
    first, second = ProductFactory(stock=100), ProductFactory(stock=100)
    clients = []
    for n in range(12):
        user = UserFactory(username=f"cross{n}")
        cart = CartFactory(user=user)
        for product in (first, second) if n % 2 else (second, first):
            CartItemFactory(cart=cart, product=product, quantity=2)
        client = APIClient()
        client.force_authenticate(user=user)
        clients.append(client)
    responses = run_concurrently(
        lambda index: clients[index].post(CHECKOUT, {}, format="json"), len(clients), reraise=True
    )
    statuses = [response.status_code for response in responses]

    assert statuses == [201] * 12
    assert StockLevel.objects.get(product=first).reserved == 24
    assert StockLevel.objects.get(product=second).reserved == 24
