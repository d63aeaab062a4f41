"""Every ordering × filter combination of the product list answers exactly the products of the plain ORM query it
replaces, page by page and cursor by cursor, on the SQL page and on the ORM path, over generated data full of ties
(prices, names, popularity and creation times shared by many products)."""

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db.models import F, Q

from makrx.prepared import PreparingCursor
from makrx.tests.cache_reset import reset_cache
from store.models import Category, Product
from store.selectors import product_json
from store.selectors.catalog import ORDERINGS
from store.tests.factories import BrandFactory, CategoryFactory, CollectionFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/store/products/"
PAGE_SIZE = 7


@pytest.fixture
def catalog(settings):
    settings.STORE_CATALOG_CACHE_SECONDS = 0
    settings.STORE_CATALOG_COUNT_LIMIT = 10  # most lists here are above it: counts kept per catalog version
    # (lists of at most 10 are sorted from the capped count's rows, longer ones walk an index: both are covered)
    rng = random.Random(17)
    root = CategoryFactory(slug="root", name="Root")
    child = CategoryFactory(slug="child", parent=root)
    leaf = CategoryFactory(slug="leaf", parent=child)
    other = CategoryFactory(slug="other")
    brands = [BrandFactory(slug=f"brand-{i}") for i in range(3)]
    tags = [TagFactory(slug=f"tag-{i}", name=f"tag {i}") for i in range(3)]
    products = []
    for i in range(48):
        products.append(
            ProductFactory(
                name=f"Part {'ABCD'[i % 4]}",  # four names shared by twelve products each
                category=[root, child, leaf, other, None][i % 5],
                brand=None if i % 7 == 0 else brands[i % 3],
                tags=rng.sample(tags, k=i % 3),
                price=Decimal(["1.00", "2.50", "2.50", "10.00"][rng.randrange(4)]),
                stock=i % 4,
                reserved=min(i % 3, i % 4),
                active=i % 11 != 5,
            )
        )
    created = datetime(2026, 3, 1, tzinfo=UTC)
    for i, product in enumerate(products):
        Product.objects.filter(pk=product.pk).update(
            rating_count=i % 3,
            created_at=created + timedelta(hours=i % 5),  # ties in popularity and newness
        )
    CollectionFactory(slug="picks", products=products[::3])
    return {"brands": brands, "tags": tags}


def expected_ids(params: dict) -> list[int]:
    """The plain ORM query: what the list showed before any of its speed work, written out by hand."""
    queryset = Product.objects.filter(active=True)
    if "category" in params:
        root_path = Category.objects.get(slug=params["category"]).path
        queryset = queryset.filter(category__path__startswith=root_path)
    if "brand" in params:
        queryset = queryset.filter(brand__slug=params["brand"])
    if "tag" in params:
        queryset = queryset.filter(id__in=Product.objects.filter(tags__slug=params["tag"]).values("id"))
    if "collection" in params:
        queryset = queryset.filter(collection_entries__collection__slug=params["collection"])
    if "min_price" in params:
        queryset = queryset.filter(price__gte=Decimal(params["min_price"]))
    if "max_price" in params:
        queryset = queryset.filter(price__lte=Decimal(params["max_price"]))
    if "in_stock" in params:
        available = Q(stock__on_hand__gt=F("stock__reserved"))
        queryset = queryset.filter(available if params["in_stock"] == "true" else ~available)
    if "search" in params:
        queryset = queryset.filter(name__icontains=params["search"])
    return list(queryset.order_by(*ORDERINGS[params.get("ordering", "name")]).values_list("id", flat=True))


FILTERS = [
    {},
    {"category": "root"},
    {"brand": "brand-1"},
    {"tag": "tag-2"},
    {"collection": "picks"},
    {"min_price": "2.00", "max_price": "5.00"},
    {"in_stock": "true"},
    {"in_stock": "false"},
    {"brand": "brand-0", "in_stock": "true"},
    {"tag": "tag-1", "min_price": "2.00"},
    {"category": "child", "tag": "tag-0", "max_price": "9.99"},
    {"search": "Part"},
]
COMBINATIONS = [{**filters, "ordering": ordering} for filters in FILTERS for ordering in sorted(ORDERINGS)] + [
    {"category": "leaf"},
    {"brand": "brand-2"},
    {},
]  # the default ordering too


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [product["id"] for product in response.json()["results"]]


def walk_pages(client, params) -> tuple[list[int], int]:
    ids, page, count = [], 1, None
    while True:
        body = client.get(URL, {**params, "page_size": PAGE_SIZE, "page": page})
        ids += _ids(body)
        count = body.json()["count"]
        if body.json()["next"] is None:
            return ids, count
        page += 1


def walk_cursor(client, params) -> tuple[list[int], int]:
    response = client.get(URL, {**params, "page_size": PAGE_SIZE, "cursor": ""})
    ids, count = _ids(response), response.json()["count"]
    while response.json()["next"]:
        assert "page=" not in response.json()["next"]
        response = client.get(response.json()["next"])
        ids += _ids(response)
        assert response.json()["count"] == count
        assert response.json()["previous"] is None
    return ids, count


@pytest.mark.parametrize("path", ["sql", "orm"])
def test_every_ordering_and_filter_answers_the_plain_query(api_client, catalog, monkeypatch, path):
    if path == "orm":
        monkeypatch.setattr(product_json, "product_page_json", lambda **kwargs: None)
    for params in COMBINATIONS:
        expected = expected_ids(params)
        ids, count = walk_pages(api_client, params)
        assert ids == expected, params
        assert count == len(expected), params
        # Every combination has a column ordering (search and collection only with one: a ranked search or a
        # curated collection has neither the plain query's order nor a keyset; test_keyset_pagination.py covers them).
        ids, count = walk_cursor(api_client, params)
        assert ids == expected, params
        assert count == len(expected), params


def test_a_tag_named_by_its_id_answers_as_by_its_slug(api_client, catalog):
    tag = catalog["tags"][1]
    for ordering in sorted(ORDERINGS):
        expected = expected_ids({"tag": tag.slug, "ordering": ordering})
        assert walk_pages(api_client, {"tag": str(tag.pk), "ordering": ordering}) == (expected, len(expected))
        assert walk_cursor(api_client, {"tag": str(tag.pk), "ordering": ordering}) == (expected, len(expected))


def test_a_deep_page_answers_the_plain_query_slice(api_client, catalog):
    expected = expected_ids({"ordering": "-price"})
    for page in (1, 3, 5):
        response = api_client.get(URL, {"ordering": "-price", "page_size": 8, "page": page})
        assert _ids(response) == expected[(page - 1) * 8 : page * 8]
    reset_cache()


def test_deep_page_numbers_answer_the_plain_query_from_their_anchors(api_client, catalog, monkeypatch):
    # Every tenth row is an anchor: from page 3 on (row 15), a page starts from the last anchor before it.
    monkeypatch.setattr(product_json, "ANCHOR_STEP", 10)
    found = defaultdict(list)  # per list: the anchors found, in the order they were asked for
    anchors_after = product_json._anchors_after

    def spy(**kwargs):
        anchors = anchors_after(**kwargs)
        found[kwargs["ordering"], kwargs["where"], repr(kwargs["where_params"])].append((kwargs["start"], anchors))
        return anchors

    monkeypatch.setattr(product_json, "_anchors_after", spy)
    for params in COMBINATIONS:
        expected = expected_ids(params)
        ids, count = walk_pages(api_client, params)
        assert ids == expected, params
        assert count == len(expected), params
    last = len(expected_ids({})) // PAGE_SIZE + 1
    assert api_client.get(URL, {"page_size": PAGE_SIZE, "page": last}).status_code == 200
    assert api_client.get(URL, {"page_size": PAGE_SIZE, "page": last + 1}).status_code == 404
    assert api_client.get(URL, {"page_size": PAGE_SIZE, "page": last + 3}).status_code == 404  # past every anchor
    # Each list's anchors were found once, each search going on from the deepest anchor kept, never from scratch.
    assert len(found) > 20
    for calls in found.values():
        assert calls[0][0] is None
        for (_, previous), (start, _) in zip(calls, calls[1:], strict=False):
            assert start == previous[-1]


def test_anchors_follow_catalog_changes(api_client, catalog, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(product_json, "ANCHOR_STEP", 10)
    params = {"ordering": "price", "page_size": PAGE_SIZE, "page": 4}
    assert _ids(api_client.get(URL, params)) == expected_ids({"ordering": "price"})[21:28]
    with django_capture_on_commit_callbacks(execute=True):  # a product that sorts first: every row moves one down
        ProductFactory(name="Part A", price=Decimal("0.10"))
    assert _ids(api_client.get(URL, params)) == expected_ids({"ordering": "price"})[21:28]


def test_category_paths_stay_below_the_subtree_range_bound():
    # product_json.SUBTREE finds a subtree's paths between the root's and the root's followed by '~'.
    assert all(character < "~" for character in Category.alphabet)


def test_sparse_lists_collected_and_sorted_answer_the_plain_query(api_client, catalog, monkeypatch):
    # Every list whose kept count makes a walk look longer than WALK_LIMIT entries is collected and sorted: with the
    # limit at 0, every list whose count is kept (more than 10 here) is.
    monkeypatch.setattr(product_json, "WALK_LIMIT", 0)
    monkeypatch.setattr(product_json, "ANCHOR_STEP", 10)  # deep pages from anchors, collected too
    collected = []
    execute = PreparingCursor.execute

    def spy(cursor, query, params=None, **kwargs):
        collected.append("collected AS MATERIALIZED" in query)
        return execute(cursor, query, params, **kwargs)

    monkeypatch.setattr(PreparingCursor, "execute", spy)
    for params in COMBINATIONS:
        expected = expected_ids(params)
        assert walk_pages(api_client, params) == (expected, len(expected)), params
        assert walk_cursor(api_client, params) == (expected, len(expected)), params
    assert sum(collected) > 100
