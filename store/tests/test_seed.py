"""`manage.py seed` for the store: the sample catalog and --store-scale, both idempotent."""

import io

import pytest
from django.core.management import call_command

from store.models import Category, Collection, Product, StockLevel
from store.seed import sample_catalog
from store.selectors.catalog import category_product_counts

pytestmark = pytest.mark.django_db


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
