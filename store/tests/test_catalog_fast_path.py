"""The product list's PostgreSQL fast path (``product_json.product_page_json``) answers exactly what the ORM path answers."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from makrx.tests.cache_reset import reset_cache
from store.models import Product
from store.selectors import product_json
from store.selectors.catalog import ProductFilters
from store.tests.factories import BrandFactory, CategoryFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/store/products/"


@pytest.fixture
def catalog():
    root = CategoryFactory(slug="root", name="Root")
    digits = CategoryFactory(slug="0603", name="Digits", parent=root)
    leaf = CategoryFactory(slug="leaf", parent=digits)
    other = CategoryFactory(slug="other")
    brands = [BrandFactory(name="Zeta", slug="zeta"), BrandFactory(name='Ärger "quoted"', slug="aerger")]
    tags = [TagFactory(name="b-tag", slug="b"), TagFactory(name="a-tag", slug="a"), TagFactory(name="c", slug="c")]
    products = []
    for i in range(37):
        product = ProductFactory(
            name=f'Part {i % 7} ü ∞ "q" \\ {i}',
            category=[root, digits, leaf, other, None][i % 5],
            brand=None if i % 6 == 0 else brands[i % 2],
            tags=tags[: i % 4],
            price=Decimal(f"{i * 3 % 17}.{i % 10}5"),
            compare_at_price=None if i % 3 else Decimal("99.90"),
            attributes={"package": "0603", "v": i / 7, "nested": {"list": [1, None, "x"]}} if i % 2 else {},
            images=[f"https://img.example.test/{i}.png"] if i % 4 else [],
            description="line one\nline two\t\u2028 <b>&</b>" if i % 5 else "",
            stock=i % 4,
            reserved=min(i % 3, i % 4),
            active=i % 9 != 0,
        )
        products.append(product)
    # Whole-second timestamps are written without a fraction; others with six digits.
    Product.objects.filter(pk__in=[p.pk for p in products[::3]]).update(
        created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), updated_at=datetime(2026, 1, 2, 3, 4, 5, 120, tzinfo=UTC)
    )
    return {"root": root, "digits": digits, "leaf": leaf, "other": other, "brands": brands, "tags": tags}


def _get(client, params, *, fast: bool, monkeypatch):
    reset_cache()
    if not fast:
        monkeypatch.setattr(product_json, "product_page_json", lambda **kwargs: None)
    response = client.get(URL, params)
    monkeypatch.undo()
    return response


def _combinations(catalog):
    return [
        {},
        {"page_size": 5},
        {"page_size": 5, "page": 3},
        {"page_size": 5, "page": 7},  # past the end: 404 from the ORM path
        {"page": "last", "page_size": 4},
        {"page": "0"},
        {"page": "abc"},
        {"page_size": "1000"},
        {"category": "root"},
        {"category": "0603"},  # a slug made of digits wins over an id
        {"category": str(catalog["leaf"].pk)},
        {"category": "  leaf "},
        {"category": "missing"},
        {"brand": "zeta", "ordering": "-price"},
        {"brand": str(catalog["brands"][1].pk), "ordering": "price", "page_size": 3, "page": 2},
        {"tag": "a", "ordering": "created_at"},
        {"tag": str(catalog["tags"][2].pk), "ordering": "-created_at"},
        {"min_price": "3", "max_price": "12.5", "ordering": "-name"},
        {"in_stock": "true", "ordering": "sku"},
        {"in_stock": "false", "ordering": "-sku"},
        {"category": "root", "brand": "aerger", "tag": "b", "in_stock": "true", "min_price": "1"},
        {"category": "other", "tag": "nope"},
    ]


def test_fast_path_answers_like_the_orm_path(api_client, catalog, monkeypatch):
    handled = []
    original = product_json.product_page_json

    def spy(**kwargs):
        result = original(**kwargs)
        handled.append(result is not None)
        return result

    for params in _combinations(catalog):
        monkeypatch.setattr(product_json, "product_page_json", spy)
        fast = _get(api_client, params, fast=True, monkeypatch=monkeypatch)
        orm = _get(api_client, params, fast=False, monkeypatch=monkeypatch)
        assert fast.status_code == orm.status_code, params
        fast_body, orm_body = fast.json(), orm.json()
        fast_body.pop("request_id", None), orm_body.pop("request_id", None)
        assert fast_body == orm_body, params
        assert fast["Content-Type"] == orm["Content-Type"]
    # The common requests really went through the fast path (not all fell back).
    assert sum(handled) >= 15


def test_fast_path_covers_every_page_of_a_category(api_client, catalog, monkeypatch):
    for page in (1, 2, 3):
        params = {"category": "root", "page_size": 7, "page": page}
        fast = _get(api_client, params, fast=True, monkeypatch=monkeypatch)
        assert fast.status_code == 200
        assert fast.json() == _get(api_client, params, fast=False, monkeypatch=monkeypatch).json()


def test_fast_path_is_one_query_whatever_the_page_size(api_client, catalog, django_assert_max_num_queries):
    counts = []
    for page_size in (1, 100):
        reset_cache()
        with CaptureQueriesContext(connection) as captured:
            response = api_client.get(URL, {"category": "root", "tag": "a", "in_stock": "true", "page_size": page_size})
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(1):
        reset_cache()
        assert api_client.get(URL, {"page_size": 100}).status_code == 200


def test_fast_path_declines_what_it_does_not_handle(catalog, monkeypatch):
    # A search with no exact match leaves the trigram fallback to the ORM path; one that matches is served here.
    assert product_json.product_page_json(filters=ProductFilters(search="zzqqxx"), page=1, page_size=10) is None
    assert product_json.product_page_json(filters=ProductFilters(search="part"), page=1, page_size=10) is not None
    assert product_json.product_page_json(filters=ProductFilters(collection="x"), page=1, page_size=10) is None
    assert product_json.product_page_json(filters=ProductFilters(), page="last", page_size=10) is None
    assert product_json.product_page_json(filters=ProductFilters(), page="99", page_size=10) is None
    page = product_json.product_page_json(filters=ProductFilters(), page="1", page_size=10)
    assert page is not None and page.count == Product.objects.filter(active=True).count()
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert product_json.product_page_json(filters=ProductFilters(), page=1, page_size=10) is None
