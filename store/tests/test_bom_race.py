"""Concurrent add-to-cart of BOM imports on PostgreSQL: the cart never holds more than the stock, no 500s."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from makrx.tests.races import run_concurrently
from store.models import BomLine, Cart
from store.tests.factories import ProductFactory, UserFactory, bom_import_for

URL = "/api/v1/store/bom-imports/{}/add-to-cart/"


@pytest.mark.django_db(transaction=True)
def test_six_tabs_adding_one_import(settings):
    """The import row lock serialises the clicks: 4 + 4 + 2 of 10 units, then nothing; every answer 200."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    settings.RATELIMIT_ENABLE = False
    user = UserFactory(username="bom-racer")
    product = ProductFactory(stock=10)
    bom_import = bom_import_for(user=user, product=product)
    BomLine.objects.filter(bom_import=bom_import).update(quantity=4)
    client = APIClient()
    client.force_authenticate(user=user)

    responses = run_concurrently(lambda index: client.post(URL.format(bom_import.pk)), 6, reraise=True)

    assert [response.status_code for response in responses] == [200] * 6
    added = sorted(sum(a["quantity"] for a in response.json()["added"]) for response in responses)
    assert added == [0, 0, 0, 2, 4, 4]
    assert Cart.objects.get(user=user).items.get().quantity == 10


@pytest.mark.django_db(transaction=True)
def test_two_imports_racing_for_the_same_stock(settings):
    """Different imports lock different rows; the cart row lock makes them take turns: exactly the 10 in stock."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    settings.RATELIMIT_ENABLE = False
    user = UserFactory(username="bom-racer-2")
    product = ProductFactory(stock=10)
    imports = [bom_import_for(user=user, product=product) for _ in range(4)]
    BomLine.objects.filter(bom_import__in=imports).update(quantity=4)
    client = APIClient()
    client.force_authenticate(user=user)

    responses = run_concurrently(lambda index: client.post(URL.format(imports[index].pk)), 4, reraise=True)

    assert [response.status_code for response in responses] == [200] * 4
    in_cart = Cart.objects.get(user=user).items.get().quantity
    added = sum(a["quantity"] for response in responses for a in response.json()["added"])
    short = sum(s["missing"] for response in responses for s in response.json()["short"])
    assert in_cart == added == 10
    assert short == 6
    assert sorted(sum(a["quantity"] for a in response.json()["added"]) for response in responses) == [0, 2, 4, 4]
