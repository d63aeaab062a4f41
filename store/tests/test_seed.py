"""`manage.py seed` for the store: the sample catalog and --store-scale, both idempotent."""

import io
from collections import Counter

import pytest
from django.core.management import call_command

from makrx.models import User
from store.models import Category, Collection, Product, StockLevel
from store.seed import ORDER_NOTE, sample_catalog
from store.selectors.catalog import category_product_counts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # the sample upload's file


def test_seed_builds_a_three_level_catalog_and_is_idempotent(api_client):
    call_command("seed", only=["store"], stdout=io.StringIO())
    counts = (Product.objects.count(), Category.objects.count(), Collection.objects.count())
    assert counts[0] == len(sample_catalog()["products"]) >= 50
    assert Category.objects.filter(depth=3).exists()
    assert StockLevel.objects.count() == counts[0]
    assert not Product.objects.exclude(mpn_normalized="").filter(mpn="").exists()
    call_command("seed", only=["store"], stdout=io.StringIO())
    assert (Product.objects.count(), Category.objects.count(), Collection.objects.count()) == counts
    # Real part numbers are searchable.
    response = api_client.get("/api/v1/store/products/", {"search": "AMS1117"})
    assert response.json()["results"][0]["mpn"].startswith("AMS1117")


def test_store_scale_generates_products_over_about_n_over_100_categories():
    call_command("seed", only=["store"], store_scale=1000, stdout=io.StringIO())
    generated = Product.objects.filter(sku__startswith="BENCH-")
    assert generated.count() == 1000
    bench_categories = Category.objects.filter(slug__startswith="bench-")
    assert 8 <= bench_categories.count() <= 20
    assert bench_categories.filter(depth=3).exists()
    counts = category_product_counts()
    roots = bench_categories.filter(depth=1)
    assert sum(counts[root.pk] for root in roots) == generated.filter(active=True).count()
    call_command("seed", only=["store"], store_scale=1000, stdout=io.StringIO())
    assert generated.count() == 1000


def _sample_state():
    from store.models import Coupon, Order, Quote, Review, Upload

    return {
        "uploads": list(Upload.objects.values_list("original_name", "status")),
        "quotes": list(Quote.objects.values_list("upload__original_name", "quantity", "total")),
        "orders": sorted(Order.objects.filter(notes__startswith=ORDER_NOTE).values_list("notes", "status")),
        "coupons": list(Coupon.objects.values_list("code", flat=True)),
        "reviews": list(Review.objects.values_list("status", "rating")),
        "users": User.objects.count(),
        "stock": sorted(StockLevel.objects.values_list("product__sku", "on_hand", "reserved")),
    }


def test_seed_adds_a_sample_order_in_each_state_a_coupon_and_a_published_review_once(
    api_client, django_capture_on_commit_callbacks
):
    from store.models import Order, Upload

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed", only=["store"], stdout=io.StringIO())
    first = _sample_state()
    by_status = dict(Counter(s for _, s in first["orders"]))
    assert by_status == dict.fromkeys(Order.Status.values, 1)
    assert first["coupons"] == ["MAKER10"]
    paid = Order.objects.get(notes=f"{ORDER_NOTE}paid")
    assert paid.coupon_code == "MAKER10" and paid.discount > 0
    assert paid.total == paid.subtotal - paid.discount + paid.tax
    assert Order.objects.get(notes=f"{ORDER_NOTE}pending_payment").lines.count() == 1
    assert first["reviews"] == [("published", 5)]
    product = Product.objects.get(sku="MX-C6568")
    assert (product.rating_count, product.rating_average) == (1, 5)
    reviews = api_client.get(f"/api/v1/store/products/{product.sku}/reviews/").json()
    assert [review["rating"] for review in reviews["results"]] == [5]

    assert first["uploads"] == [("sample-bracket.stl", "ready")]
    upload = Upload.objects.get()
    assert round(upload.geometry["volume_mm3"]) == 40 * 20 * 10
    assert len(first["quotes"]) == 1 and first["quotes"][0][2] > 0

    call_command("seed", only=["store"], stdout=io.StringIO())
    assert _sample_state() == first


def test_an_expired_sample_order_is_replaced_by_a_new_unpaid_one():
    from store.models import Order
    from store.services import SYSTEM
    from store.services.orders import order_cancel

    call_command("seed", only=["store"], stdout=io.StringIO())
    pending = Order.objects.get(notes=f"{ORDER_NOTE}pending_payment")
    order_cancel(order=pending, actor=SYSTEM, reason="expired")
    call_command("seed", only=["store"], stdout=io.StringIO())
    assert Order.objects.filter(notes=f"{ORDER_NOTE}pending_payment").count() == 2
    assert Order.objects.filter(notes=f"{ORDER_NOTE}pending_payment", status="pending_payment").count() == 1
    assert Order.objects.filter(notes__startswith=ORDER_NOTE, status="cancelled").count() == 2


@pytest.mark.parametrize(("development", "samples"), [(False, "auto"), (True, "no")])
def test_no_sample_orders_outside_development_or_when_asked(settings, development, samples):
    from store.models import Coupon, Order, Upload

    settings.IS_DEVELOPMENT = development
    call_command("seed", only=["store"], samples=samples, stdout=io.StringIO())
    assert Product.objects.count() == len(sample_catalog()["products"])  # the catalogue is always seeded
    assert not Order.objects.exists() and not Coupon.objects.exists() and not Upload.objects.exists()
    assert not User.objects.exists()
