"""Reviews under concurrency on PostgreSQL: the product's rating stays exact, one review per customer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from makrx.tests.races import run_concurrently
from store.models import Order, Product, Review
from store.tests.factories import OrderFactory, OrderLineFactory, ProductFactory, ReviewFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_moderation_keeps_the_rating_exact(settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    settings.RATELIMIT_ENABLE = False
    product = ProductFactory()
    ratings = [5, 4, 3, 5, 1, 2, 5, 4, 4, 3, 5, 2, 1, 5, 4, 3]
    reviews = [ReviewFactory(product=product, rating=rating) for rating in ratings]
    staff = UserFactory(username="moderator", roles=["store_admin"])
    client = APIClient()
    client.force_authenticate(user=staff)
    # Twelve published and four rejected at the same moment, each by its own request and connection.
    plan = [("publish", r) for r in reviews[:12]] + [("reject", r) for r in reviews[12:]]

    def act(index):
        verb, review = plan[index]
        api = APIClient()
        api.force_authenticate(user=staff)
        return api.post(f"/api/v1/store/reviews/{review.pk}/{verb}/", {}, format="json").status_code

    assert run_concurrently(act, len(plan), reraise=True) == [200] * len(plan)

    published = ratings[:12]
    product.refresh_from_db()
    assert product.rating_count == 12
    assert product.rating_average == (Decimal(sum(published)) / 12).quantize(Decimal("0.01"))
    assert Review.objects.filter(product=product, status="published").count() == 12


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_creates_one_review(settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    settings.RATELIMIT_ENABLE = False
    product = ProductFactory()
    buyer = UserFactory(username="buyer")
    OrderLineFactory(order=OrderFactory(user=buyer, status=Order.Status.PAID), product=product)

    def submit(index):
        api = APIClient()
        api.force_authenticate(user=buyer)
        response = api.post(f"/api/v1/store/products/{product.slug}/reviews/", {"rating": 1 + index % 5}, format="json")
        return response.status_code, response.json().get("code", "")

    outcomes = run_concurrently(submit, 8, reraise=True)

    assert [status for status, _ in outcomes].count(201) == 1
    assert sorted(code for status, code in outcomes if status != 201) == ["review_exists"] * 7
    assert Review.objects.filter(product=product, user=buyer).count() == 1
    assert Product.objects.get(pk=product.pk).rating_count == 0  # pending until moderated
