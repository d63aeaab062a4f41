"""Concurrent checkouts with one coupon on PostgreSQL: redemptions never pass the total limit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from makrx.tests.races import run_concurrently
from store.models import CartCoupon, CouponRedemption, Order
from store.tests.factories import CartFactory, CartItemFactory, CouponFactory, ProductFactory, UserFactory

CHECKOUT = "/api/v1/store/checkout/"


@pytest.mark.django_db(transaction=True)
def test_twenty_checkouts_for_five_redemptions(settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    settings.RATELIMIT_ENABLE = False
    product = ProductFactory(stock=100, price=Decimal("10.00"))
    coupon = CouponFactory(code="FIRST5", max_redemptions=5, value=Decimal("50"))
    clients = []
    for n in range(20):
        user = UserFactory(username=f"couponer{n}")
        cart = CartFactory(user=user)
        CartItemFactory(cart=cart, product=product, quantity=1)
        CartCoupon.objects.create(cart=cart, coupon=coupon)
        client = APIClient()
        client.force_authenticate(user=user)
        clients.append(client)

    responses = run_concurrently(lambda i: clients[i].post(CHECKOUT, {}, format="json"), 20, reraise=True)
    results = [(response.status_code, response.json().get("code", "")) for response in responses]

    assert [status for status, _ in results].count(201) == 5
    assert sorted(code for status, code in results if status != 201) == ["coupon_exhausted"] * 15
    assert CouponRedemption.objects.filter(coupon=coupon, released_at__isnull=True).count() == 5
    assert Order.objects.count() == 5
    assert set(Order.objects.values_list("discount", flat=True)) == {Decimal("5.00")}
    assert product.stock.__class__.objects.get(product=product).reserved == 5
