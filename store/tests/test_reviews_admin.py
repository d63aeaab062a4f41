"""Admin for reviews, coupons and reorder lists: screens render, actions go through the services."""

from decimal import Decimal

import pytest
from django.test import Client

from makrx.errors import PermissionDenied
from store.models import Coupon, Review
from store.tests.factories import (
    CouponFactory,
    OrderFactory,
    ProductFactory,
    ReorderLineFactory,
    ReorderListFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user):
    client = Client()
    client.force_login(make_user("boss", roles=["super_admin"]))
    return client


def test_screens_render(admin_client):
    review = ReviewFactory()
    coupon = CouponFactory(products=[review.product])
    reorder_list = ReorderListFactory()
    ReorderLineFactory(reorder_list=reorder_list)
    coupon.redemptions.create(order=OrderFactory(), amount=Decimal("1.00"))
    for url in [
        "/admin/store/review/",
        "/admin/store/review/?status__exact=pending&q=works",
        f"/admin/store/review/{review.pk}/change/",
        "/admin/store/coupon/",
        "/admin/store/coupon/?active__exact=1&q=code",
        "/admin/store/coupon/add/",
        f"/admin/store/coupon/{coupon.pk}/change/",
        "/admin/store/couponredemption/",
        "/admin/store/reorderlist/",
        f"/admin/store/reorderlist/{reorder_list.pk}/change/",
    ]:
        assert admin_client.get(url).status_code == 200, url
    assert '<td class="field-redeemed">1</td>' in admin_client.get("/admin/store/coupon/").content.decode()


def test_moderation_actions_update_the_rating(admin_client):
    product = ProductFactory()
    reviews = [ReviewFactory(product=product, rating=r) for r in (5, 2)]

    admin_client.post(
        "/admin/store/review/", {"action": "publish", "_selected_action": [r.pk for r in reviews]}, follow=True
    )
    admin_client.post("/admin/store/review/", {"action": "reject", "_selected_action": [reviews[1].pk]}, follow=True)

    product.refresh_from_db()
    assert (product.rating_count, product.rating_average) == (1, Decimal("5.00"))
    assert Review.objects.get(pk=reviews[1].pk).status == "rejected"


def test_moderation_actions_refuse_non_store_staff(make_user):
    client = Client()
    client.force_login(make_user("space-admin", roles=["makerspace_admin"]))
    review = ReviewFactory()
    client.post("/admin/store/review/", {"action": "publish", "_selected_action": [review.pk]})
    assert Review.objects.get(pk=review.pk).status == "pending"


def test_coupon_actions_and_form_validation(admin_client):
    coupon = CouponFactory(code="SPRING")
    admin_client.post("/admin/store/coupon/", {"action": "deactivate", "_selected_action": [coupon.pk]}, follow=True)
    assert Coupon.objects.get(pk=coupon.pk).active is False

    response = admin_client.post(
        "/admin/store/coupon/add/",
        {"code": "spring", "kind": "percent", "value": "150", "currency": "INR", "minimum_subtotal": "0"},
    )
    assert response.status_code == 200  # the form comes back with errors: duplicate code, percent over 100
    assert Coupon.objects.count() == 1


def test_a_coupon_created_in_the_admin_goes_through_the_service(admin_client, make_user):
    category = ProductFactory().category
    response = admin_client.post(
        "/admin/store/coupon/add/",
        {
            "code": " summer10 ",
            "kind": "percent",
            "value": "10",
            "currency": "INR",
            "minimum_subtotal": "0",
            "max_redemptions_per_customer": "1",
            "active": "on",
            "categories": [category.pk],
            "redemptions-TOTAL_FORMS": "0",
            "redemptions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    coupon = Coupon.objects.get()
    assert (coupon.code, list(coupon.categories.all())) == ("SUMMER10", [category])

    from store.services.coupons import coupon_save

    with pytest.raises(PermissionDenied) as refused:
        coupon_save(actor=make_user("nobody"), coupon=Coupon(code="X", value=Decimal("1")))
    assert refused.value.code == "permission_denied"
