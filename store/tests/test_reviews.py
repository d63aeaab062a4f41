"""Reviews: verified purchase, one per customer, moderation, the product's rating in every product response."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from makrx.tests.cache_reset import reset_cache
from store.models import Order, Product, Review
from store.services import SYSTEM
from store.services import reviews as review_services
from store.tests.factories import OrderFactory, OrderLineFactory, ProductFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


def reviews_url(product) -> str:
    return f"/api/v1/store/products/{product.slug}/reviews/"


def _bought(user, product, status=Order.Status.PAID):
    order = OrderFactory(user=user, status=status)
    OrderLineFactory(order=order, product=product)
    return order


def test_a_buyer_reviews_once_and_the_review_waits_for_moderation(client_for):
    client = client_for()
    product = ProductFactory()
    order = _bought(client.user, product)

    response = client.post(reviews_url(product), {"rating": 5, "title": "Great", "body": "Solid part."}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending" and response.json()["verified_purchase"] is True
    assert Review.objects.get().order == order
    assert client.get(reviews_url(product)).json()["count"] == 0  # not published yet
    again = client.post(reviews_url(product), {"rating": 1}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "review_exists")


@pytest.mark.parametrize("status", [Order.Status.PENDING_PAYMENT, Order.Status.CANCELLED, None])
def test_no_paid_order_no_review(client_for, status):
    client = client_for()
    product = ProductFactory()
    if status is not None:
        _bought(client.user, product, status=status)
    _bought(UserFactory(), product)  # someone else's purchase does not count

    response = client.post(reviews_url(product), {"rating": 4}, format="json")

    assert (response.status_code, response.json()["code"]) == (403, "not_verified_purchase")
    assert not Review.objects.exists()


def test_fulfilled_orders_count_as_purchases(client_for):
    client = client_for()
    product = ProductFactory()
    _bought(client.user, product, status=Order.Status.FULFILLED)
    assert client.post(reviews_url(product), {"rating": 3}, format="json").status_code == 201


def test_anonymous_cannot_review_and_unknown_products_are_404(api_client, client_for):
    product = ProductFactory()
    assert api_client.post(reviews_url(product), {"rating": 4}, format="json").status_code == 401
    assert api_client.get("/api/v1/store/products/no-such-thing/reviews/").status_code == 404
    client = client_for()
    response = client.post("/api/v1/store/products/no-such-thing/reviews/", {"rating": 4}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "product_not_found")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"rating": 0},
        {"rating": 6},
        {"rating": 4.5},
        {"rating": "five"},
        {"rating": None},
        {"rating": [5]},
        {"rating": 5, "body": "x" * 5001},
        {"rating": 5, "title": "t" * 201},
        {"rating": 99999999999999999999999},
    ],
)
def test_hostile_review_bodies_are_400_and_write_nothing(client_for, body):
    client = client_for()
    product = ProductFactory()
    _bought(client.user, product)

    response = client.post(reviews_url(product), body, format="json")

    assert response.status_code == 400, response.json()
    assert "request_id" in response.json()
    assert not Review.objects.exists()


def test_moderation_updates_the_rating_shown_on_the_product_list_and_detail(client_for):
    staff = client_for(roles=["store_admin"])
    product = ProductFactory()
    reviews = [ReviewFactory(product=product, rating=rating) for rating in (5, 4, 2)]

    for review in reviews[:2]:
        response = staff.post(f"/api/v1/store/reviews/{review.pk}/publish/", {"note": "ok"}, format="json")
        assert response.status_code == 200, response.json()
    staff.post(f"/api/v1/store/reviews/{reviews[2].pk}/reject/", {"note": "off topic"}, format="json")

    product.refresh_from_db()
    assert (product.rating_average, product.rating_count) == (Decimal("4.50"), 2)
    reset_cache()
    detail = staff.get(f"/api/v1/store/products/{product.slug}/").json()
    listed = staff.get("/api/v1/store/products/").json()["results"][0]
    assert (detail["rating_average"], detail["rating_count"]) == ("4.50", 2)
    assert (listed["rating_average"], listed["rating_count"]) == ("4.50", 2)
    public = staff.get(reviews_url(product)).json()
    assert [row["rating"] for row in public["results"]] == [4, 5]

    # Taking a published review down recomputes the rating.
    staff.post(f"/api/v1/store/reviews/{reviews[0].pk}/reject/", {}, format="json")
    product.refresh_from_db()
    assert (product.rating_average, product.rating_count) == (Decimal("4.00"), 1)


def test_illegal_moderation_is_409_and_customers_cannot_moderate(client_for):
    staff, customer = client_for(roles=["store_admin"]), client_for()
    review = ReviewFactory(status=Review.Status.REJECTED)

    response = staff.post(f"/api/v1/store/reviews/{review.pk}/publish/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    assert customer.post(f"/api/v1/store/reviews/{review.pk}/publish/", {}, format="json").status_code == 403
    assert staff.get(f"/api/v1/store/reviews/{review.pk}/publish/").status_code == 405
    assert staff.post("/api/v1/store/reviews/999999/publish/", {}, format="json").status_code == 404
    with pytest.raises(review_services.PermissionDenied):
        review_services.review_publish(actor=customer.user, review=review)


def test_the_moderation_queue_is_for_staff_and_customers_see_their_own(client_for):
    staff, customer = client_for(roles=["store_admin"]), client_for()
    mine = ReviewFactory(user=customer.user)
    ReviewFactory()

    assert {row["id"] for row in customer.get("/api/v1/store/reviews/").json()["results"]} == {mine.pk}
    assert staff.get("/api/v1/store/reviews/", {"status": "pending"}).json()["count"] == 2
    assert staff.get("/api/v1/store/reviews/", {"status": "bogus"}).status_code == 400


def test_ratings_cost_no_query_per_product(api_client, django_assert_max_num_queries):
    products = [ProductFactory() for _ in range(30)]
    for product in products[:10]:
        review_services.review_publish(actor=SYSTEM, review=ReviewFactory(product=product, rating=3))

    def count(page_size):
        reset_cache()
        with CaptureQueriesContext(connection) as captured:
            assert api_client.get("/api/v1/store/products/", {"page_size": page_size}).status_code == 200
        return len(captured)

    assert count(1) == count(30)
    assert Product.objects.filter(rating_count=1, rating_average=Decimal("3.00")).count() == 10


def test_published_review_list_costs_the_same_for_1_or_100(api_client, django_assert_max_num_queries):
    product = ProductFactory()
    for _ in range(40):
        ReviewFactory(product=product, status=Review.Status.PUBLISHED)

    with CaptureQueriesContext(connection) as small:
        assert api_client.get(reviews_url(product), {"page_size": 1}).status_code == 200
    with django_assert_max_num_queries(len(small)):
        response = api_client.get(reviews_url(product), {"page_size": 100})
    assert response.json()["count"] == 40 and len(response.json()["results"]) == 40


def test_moderation_list_costs_the_same_for_1_or_100(client_for, django_assert_max_num_queries):
    staff = client_for(roles=["store_admin"])
    for _ in range(30):
        ReviewFactory()
    with CaptureQueriesContext(connection) as small:
        staff.get("/api/v1/store/reviews/", {"page_size": 1})
    with django_assert_max_num_queries(len(small)):
        assert len(staff.get("/api/v1/store/reviews/", {"page_size": 100}).json()["results"]) == 30


def test_the_reviewer_hears_about_the_decision(client_for, django_capture_on_commit_callbacks, mailoutbox):
    staff = client_for(roles=["store_admin"])
    product = ProductFactory(name="Hot air station")
    published, rejected = ReviewFactory(product=product, rating=5), ReviewFactory(product=product)

    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/api/v1/store/reviews/{published.pk}/publish/", {}, format="json")
        staff.post(f"/api/v1/store/reviews/{rejected.pk}/reject/", {"note": "Please keep it on topic."}, format="json")

    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([published.user.email], "Your review of Hot air station is published"),
        ([rejected.user.email], "Your review of Hot air station was not published"),
    ]
    assert "Please keep it on topic." in mailoutbox[1].body
