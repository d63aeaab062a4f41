"""Catalog reads are cached, and every catalog or stock change makes them fresh again."""

from decimal import Decimal

import pytest

from store.models import Product, StockLevel
from store.services import SYSTEM
from store.services import catalog as services
from store.services.stock import stock_set_on_hand
from store.tests.factories import BrandFactory, CategoryFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db(transaction=True)  # invalidation runs on commit

PRODUCTS = "/api/v1/store/products/"


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def test_second_read_is_served_from_the_cache(api_client, django_assert_num_queries):
    ProductFactory(sku="MX-1")
    assert get(api_client, PRODUCTS)["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        cached = get(api_client, PRODUCTS)
    assert cached["X-Cache"] == "hit"
    assert [p["sku"] for p in cached.json()["results"]] == ["MX-1"]


def test_product_change_through_the_service_invalidates(api_client):
    product = ProductFactory(sku="MX-1", price=Decimal("10.00"))
    get(api_client, PRODUCTS)
    services.product_update(actor=SYSTEM, product=product, price=Decimal("12.50"))
    response = get(api_client, PRODUCTS)
    assert response["X-Cache"] == "miss"
    assert response.json()["results"][0]["price"] == "12.50"
    detail = get(api_client, f"{PRODUCTS}MX-1/")
    assert detail.json()["price"] == "12.50"


def test_stock_change_invalidates(api_client):
    product = ProductFactory(sku="MX-1", stock=0)
    assert get(api_client, PRODUCTS, in_stock="true").json()["count"] == 0
    stock_set_on_hand(actor=SYSTEM, product=product, on_hand=4)
    assert get(api_client, PRODUCTS, in_stock="true").json()["count"] == 1
    assert get(api_client, f"{PRODUCTS}MX-1/").json()["stock_available"] == 4


def test_direct_saves_invalidate_through_signals(api_client):
    """Admin and import-export save models directly; the signals still bump the catalog version."""
    product = ProductFactory(sku="MX-1")
    tag = TagFactory(slug="new-tag")
    get(api_client, "/api/v1/store/tags/popular/")
    get(api_client, "/api/v1/store/categories/", include_product_counts="true")
    product.tags.add(tag)
    assert get(api_client, "/api/v1/store/tags/popular/").json()[0]["slug"] == "new-tag"
    CategoryFactory(slug="fresh")
    tree = get(api_client, "/api/v1/store/categories/", include_product_counts="true").json()
    assert "fresh" in [node["slug"] for node in tree]
    level = StockLevel.objects.get(product=product)
    level.on_hand = 77
    level.save()
    assert get(api_client, f"{PRODUCTS}MX-1/").json()["stock_available"] == 77


def test_brand_and_activation_changes_invalidate(api_client):
    product = ProductFactory(sku="MX-1", brand=BrandFactory(slug="acme", name="Acme"))
    assert get(api_client, "/api/v1/store/brands/").json()["results"][0]["name"] == "Acme"
    services.brand_save(actor=SYSTEM, brand=product.brand, name="Acme Corp")
    assert get(api_client, "/api/v1/store/brands/").json()["results"][0]["name"] == "Acme Corp"
    services.product_set_active(actor=SYSTEM, product_ids=[product.pk], active=False)
    assert get(api_client, PRODUCTS).json()["count"] == 0


def test_a_rolled_back_change_does_not_bump(api_client):
    from django.core.cache import cache
    from django.db import transaction

    from store.catalog_cache import VERSION_KEY, catalog_version

    ProductFactory(sku="MX-1")
    before = catalog_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Product.objects.filter(sku="MX-1").update(name="renamed")
        services.catalog_cache_invalidate()
        raise RuntimeError
    assert cache.get(VERSION_KEY) == before


def test_cache_outage_falls_back_to_the_database(api_client, monkeypatch):
    from store import catalog_cache

    ProductFactory(sku="MX-1")

    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(catalog_cache.cache, "get", broken)
    response = get(api_client, PRODUCTS)
    assert response["X-Cache"] == "miss" and response.json()["count"] == 1


def test_invalid_queries_are_never_cached(api_client):
    ProductFactory(sku="MX-1")
    assert api_client.get(PRODUCTS, {"min_price": "abc"}).status_code == 400
    assert api_client.get(PRODUCTS, {"min_price": "abc"}).status_code == 400
    assert get(api_client, PRODUCTS, min_price="1")["X-Cache"] == "miss"
    assert get(api_client, PRODUCTS, min_price="1")["X-Cache"] == "hit"


def _stored_keys(monkeypatch) -> set[str]:
    """Every key the catalog cache writes from now on (whatever the backend)."""
    from store import catalog_cache

    keys: set[str] = set()
    original = catalog_cache.cache.set

    def recording_set(key, *args, **kwargs):
        keys.add(key)
        return original(key, *args, **kwargs)

    monkeypatch.setattr(catalog_cache.cache, "set", recording_set)
    return keys


def test_junk_parameters_never_create_cache_entries(api_client, monkeypatch):
    from django.core.cache import cache

    ProductFactory(sku="MX-1")
    keys = _stored_keys(monkeypatch)
    responses = [get(api_client, PRODUCTS)]
    responses += [get(api_client, PRODUCTS, **{f"junk{n}": f"x{n}", "utm_source": n}) for n in range(25)]
    responses += [get(api_client, PRODUCTS, page="1", page_size="20", zzz="y" * 500)]
    responses += [get(api_client, PRODUCTS, page="01", category="", in_stock="")]

    assert len(keys) == 1
    assert all(cache.get(key) is not None for key in keys)
    assert [r["X-Cache"] for r in responses] == ["miss"] + ["hit"] * (len(responses) - 1)
    # The body carries no parameter a client made up (page links are built from the canonical query).
    assert all(b"junk" not in r.content and b"zzz" not in r.content for r in responses)


def test_a_valid_different_filter_has_its_own_entry(api_client, monkeypatch):
    ProductFactory(sku="MX-1", price=Decimal("5.00"))
    ProductFactory(sku="MX-2", price=Decimal("50.00"))
    keys = _stored_keys(monkeypatch)
    assert get(api_client, PRODUCTS).json()["count"] == 2
    cheap = get(api_client, PRODUCTS, max_price="10", junk="1")
    assert cheap["X-Cache"] == "miss" and cheap.json()["count"] == 1
    # Same filter, spelled differently: the validated value is the same, so is the entry.
    assert get(api_client, PRODUCTS, max_price="10.00")["X-Cache"] == "hit"
    assert get(api_client, PRODUCTS, page_size="1")["X-Cache"] == "miss"
    assert len(keys) == 3


def test_page_links_keep_the_valid_parameters_only(api_client):
    for n in range(3):
        ProductFactory(sku=f"MX-{n}")
    body = get(api_client, PRODUCTS, page_size="1", in_stock="yes", junk="evil").json()
    assert "junk" not in body["next"]
    assert "page=2" in body["next"] and "page_size=1" in body["next"] and "in_stock=true" in body["next"]
