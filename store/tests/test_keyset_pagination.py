"""Keyset ("cursor") pages of the product list: no product skipped or repeated while products are added between
page requests, a constant cost at any depth, and clear 400s for cursors that cannot work."""

import base64
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from makrx.api.pagination import cursor_decode, cursor_encode
from makrx.errors import ValidationError
from store.models import Product
from store.selectors import product_json
from store.selectors.catalog import ORDERINGS
from store.tests.factories import CategoryFactory, CollectionFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/store/products/"


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.STORE_CATALOG_CACHE_SECONDS = 0


@pytest.fixture
def category():
    return CategoryFactory(slug="parts")


def _walk_while_adding(client, params, add) -> tuple[list[int], set[int]]:
    """Walk every keyset page, calling ``add(page_number)`` before each next request; return the ids seen."""
    seen, added = [], set()
    response = client.get(URL, {**params, "cursor": "", "page_size": 5})
    page = 1
    while True:
        assert response.status_code == 200, response.content
        seen += [product["id"] for product in response.json()["results"]]
        added |= {product.id for product in add(page)}
        if not response.json()["next"]:
            return seen, added
        response = client.get(response.json()["next"])
        page += 1


@pytest.mark.parametrize("path", ["sql", "orm"])
@pytest.mark.parametrize("ordering", ["name", "-price", "-created_at", "popularity", "price"])
@pytest.mark.parametrize("listed_by", ["category", "tag"])  # a tag's SQL pages come from its listing
def test_no_product_is_skipped_or_repeated_while_products_are_added(
    api_client, category, monkeypatch, path, ordering, listed_by
):
    if path == "orm":
        monkeypatch.setattr(product_json, "product_page_json", lambda **kwargs: None)
    tag = TagFactory(slug="parts")
    for i in range(23):
        ProductFactory(category=category, tags=[tag], name=f"Part {i % 4}", price=Decimal(i % 3 + 1))
    before = set(Product.objects.filter(active=True).values_list("id", flat=True))
    counter = iter(range(1000))

    def add(page):
        # Products that sort before, among and after what was already read (same names, same prices: ties).
        return [
            ProductFactory(category=category, tags=[tag], name=name, price=price, sku=f"NEW-{next(counter)}")
            for name, price in (
                ("Part 0", Decimal(1)),
                ("Part 2", Decimal(2)),
                ("Zzz", Decimal(9)),
                ("Aaa", Decimal(0)),
            )
        ]

    seen, added = _walk_while_adding(api_client, {"ordering": ordering, listed_by: "parts"}, add)
    assert len(seen) == len(set(seen)), "a product was repeated"
    assert before <= set(seen), "a product that existed before the walk was skipped"
    assert set(seen) <= before | added


def test_a_cursor_page_costs_the_same_at_any_depth_and_page_size(api_client, category):
    for i in range(40):
        ProductFactory(category=category, name=f"Part {i:02d}")
    counts = []
    for size, depth in ((1, 0), (20, 0), (1, 35), (20, 15)):
        row = Product.objects.filter(active=True).order_by("name", "id").values_list("name", "id")[depth]
        token = cursor_encode(ordering="name", key=[row[0], str(row[1])])
        with CaptureQueriesContext(connection) as queries:
            response = api_client.get(URL, {"cursor": token, "page_size": size})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts == [1, 1, 1, 1]  # one statement: page, count and next cursor


def test_the_next_link_carries_the_cursor_and_the_filters(api_client, category):
    for i in range(6):
        ProductFactory(category=category, name=f"Part {i}")
    body = api_client.get(URL, {"cursor": "start", "page_size": 4, "category": "parts", "page": 3}).json()
    assert body["count"] == 6 and len(body["results"]) == 4 and body["previous"] is None
    assert "cursor=" in body["next"] and "category=parts" in body["next"] and "page=" not in body["next"]
    last = api_client.get(body["next"]).json()
    assert [p["name"] for p in last["results"]] == ["Part 4", "Part 5"]
    assert last["next"] is None


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"cursor": "not-a-cursor"}, "invalid_cursor"),
        ({"cursor": cursor_encode(ordering="price", key=["1.00", "3"])}, "invalid_cursor"),  # made for another order
        ({"cursor": cursor_encode(ordering="name", key=["x"])}, "invalid_cursor"),  # wrong length
        ({"cursor": cursor_encode(ordering="price", key=["cheap", "3"]), "ordering": "price"}, "invalid_cursor"),
        ({"cursor": cursor_encode(ordering="price", key=["1e-100000", "3"]), "ordering": "price"}, "invalid_cursor"),
        ({"cursor": cursor_encode(ordering="price", key=["1.00", "9" * 30]), "ordering": "price"}, "invalid_cursor"),
        ({"cursor": base64.urlsafe_b64encode(b'{"o":"name","k":["\\ud800","3"]}').decode()}, "invalid_cursor"),
        ({"cursor": cursor_encode(ordering="name", key=["a\x00", "3"])}, "invalid_cursor"),
        (
            {"cursor": cursor_encode(ordering="-created_at", key=["yesterday", "3"]), "ordering": "-created_at"},
            "invalid_cursor",
        ),
        ({"cursor": "", "search": "part"}, "cursor_unsupported"),  # ranked
        ({"cursor": "", "collection": "picks"}, "cursor_unsupported"),  # curated
    ],
)
def test_cursors_that_cannot_work_answer_400(api_client, category, params, code):
    product = ProductFactory(category=category, name="Part")
    CollectionFactory(slug="picks", products=[product])
    response = api_client.get(URL, params)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code


def test_search_with_an_ordering_walks_by_cursor(api_client, category):
    for i in range(9):
        ProductFactory(category=category, name=f"Regulator {i}", price=Decimal(9 - i))
    ProductFactory(category=category, name="Resistor")
    seen, _ = _walk_while_adding(api_client, {"search": "regulator", "ordering": "price"}, lambda page: [])
    assert seen == list(
        Product.objects.filter(name__startswith="Regulator").order_by("price", "id").values_list("id", flat=True)
    )


def test_a_cursor_decodes_only_for_its_ordering():
    token = cursor_encode(ordering="-price", key=["12.50", "7"])
    assert cursor_decode(token, ordering="-price", size=2) == ["12.50", "7"]
    assert cursor_decode("", ordering="-price", size=2) is None
    with pytest.raises(ValidationError):
        cursor_decode(token, ordering="price", size=2)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ordering=st.sampled_from(sorted(ORDERINGS)),
    values=st.lists(st.text(max_size=40), min_size=1, max_size=3),
    raw=st.text(max_size=60),
)
def test_a_cursor_a_client_makes_up_never_gets_a_500(api_client, category, ordering, values, raw):
    token = base64.urlsafe_b64encode(json.dumps({"o": ordering, "k": values}).encode()).decode()
    for cursor in (token, raw):
        response = api_client.get(URL, {"cursor": cursor, "ordering": ordering})
        assert response.status_code in (200, 400), (cursor, response.content)
