"""A browser's first calls race (the app fires several at page load): one guest cart per session, every add
counted, on real separate PostgreSQL connections."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from makrx.tests.races import run_concurrently
from store.models import Cart, CartItem
from store.models.cart import session_key_hash
from store.tests.factories import ProductFactory
from store.tests.legacy_contract import new_session_id


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_adds_of_one_session_share_one_cart(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent unique index checks")
    settings.RATELIMIT_ENABLE = False
    product = ProductFactory(stock=100)
    session = new_session_id()

    def add(index: int):
        return APIClient().post(
            "/api/cart/add", {"product_id": product.pk, "quantity": 1}, format="json", HTTP_X_SESSION_ID=session
        )

    responses = run_concurrently(add, 6, reraise=True)

    assert [response.status_code for response in responses] == [200] * 6
    cart = Cart.objects.get()
    assert cart.session_key_hash == session_key_hash(session)
    assert CartItem.objects.get(cart=cart).quantity == 6


@pytest.mark.django_db(transaction=True)
def test_the_guest_flow_works_in_autocommit_as_in_production(settings):
    """Outside a test transaction, as a server runs: every write opens its own transaction (a service that
    locks rows without one fails here, not in the transactional tests)."""
    settings.RATELIMIT_ENABLE = False
    from store.tests.legacy_contract import checkout_body

    product = ProductFactory(stock=5)
    headers = {"HTTP_X_SESSION_ID": new_session_id()}
    client = APIClient()

    assert (
        client.post("/api/cart/add", {"product_id": product.pk, "quantity": 2}, format="json", **headers).status_code
        == 200
    )
    item = CartItem.objects.get()
    assert client.put(f"/api/cart/item/{item.pk}", {"quantity": 3}, format="json", **headers).status_code == 200
    placed = client.post("/api/orders/checkout", checkout_body(), format="json", HTTP_IDEMPOTENCY_KEY="a", **headers)
    assert placed.status_code == 201, placed.json()
    order = client.get(f"/api/orders/{placed.json()['order_id']}", **headers).json()
    assert order["items"][0]["quantity"] == 3 and order["status"] == "pending"
