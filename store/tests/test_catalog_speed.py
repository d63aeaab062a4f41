"""The product list's cost does not grow with the catalog: query counts pinned per list whatever the page size and
page number, counts exact below the limit and kept per catalog version above it, search for partial part numbers
with a bounded ranking, and the SQLite fallback (``make run``) for all of it."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from makrx.tests.cache_reset import reset_cache
from store.models import Product
from store.selectors import catalog as selectors
from store.selectors import product_json
from store.services import SYSTEM
from store.services.catalog import product_create
from store.tests.factories import BrandFactory, CategoryFactory, CollectionFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/store/products/"


@pytest.fixture
def catalog(settings):
    settings.STORE_CATALOG_CACHE_SECONDS = 0
    root = CategoryFactory(slug="root")
    leaf = CategoryFactory(slug="leaf", parent=root)
    brand, tag = BrandFactory(slug="acme"), TagFactory(slug="smd")
    products = [
        ProductFactory(category=[root, leaf][i % 2], brand=brand, tags=[tag] if i % 2 else [], price=Decimal(i % 9))
        for i in range(60)
    ]
    CollectionFactory(slug="picks", products=products[:30])
    return products


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return len(captured)


LISTS = [
    ({}, 1),
    ({"ordering": "-created_at"}, 1),
    ({"ordering": "price"}, 1),
    ({"ordering": "-price"}, 1),
    ({"ordering": "popularity"}, 1),
    ({"brand": "acme", "in_stock": "true", "ordering": "price"}, 1),
    ({"tag": "smd", "min_price": "1", "max_price": "7"}, 1),
    ({"category": "root"}, 1),
    ({"search": "part"}, 1),
    ({"search": "part", "ordering": "-price"}, 1),
    ({"cursor": ""}, 1),
    ({"collection": "picks"}, 5),  # the ORM path: count, page, stock, tags, collection
]


@pytest.mark.parametrize(("params", "expected"), LISTS)
def test_each_list_costs_the_same_queries_whatever_the_page_size_and_number(api_client, catalog, params, expected):
    counts = {
        (size, page): _queries(
            api_client, {**params, "page_size": size, **({} if "cursor" in params else {"page": page})}
        )
        for size, page in ((1, 1), (100, 1), (1, 20), (2, 10))
    }
    assert set(counts.values()) == {expected}, counts


def test_counts_are_exact_below_the_limit_and_kept_per_catalog_version_above(
    api_client, catalog, settings, django_capture_on_commit_callbacks
):
    active = Product.objects.filter(active=True).count()
    settings.STORE_CATALOG_COUNT_LIMIT = 100
    assert api_client.get(URL).json()["count"] == active
    assert _queries(api_client, {}) == 1  # capped count below the limit: exact, in the page's statement

    settings.STORE_CATALOG_COUNT_LIMIT = 10
    reset_cache()
    assert _queries(api_client, {}) == 2  # above the limit: the exact count once...
    assert _queries(api_client, {}) == 1  # ...then kept for this catalog version
    assert api_client.get(URL).json()["count"] == active
    assert api_client.get(URL, {"category": "leaf"}).json()["count"] == 30

    with django_capture_on_commit_callbacks(execute=True):  # a catalog change bumps the version
        product_create(actor=SYSTEM, sku="NEW-1", name="New part", price=Decimal("1.00"))
    assert api_client.get(URL).json()["count"] == active + 1

    settings.STORE_CATALOG_COUNT_SECONDS = 0  # kept counts off: every request above the limit counts everything
    assert _queries(api_client, {}) == 2
    assert api_client.get(URL).json()["count"] == active + 1


def test_the_orm_path_counts_the_same_way(api_client, catalog, settings):
    settings.STORE_CATALOG_COUNT_LIMIT = 10
    reset_cache()
    assert api_client.get(URL, {"collection": "picks"}).json()["count"] == 30
    source = selectors.product_rows(filters=selectors.ProductFilters(collection="picks"))
    with CaptureQueriesContext(connection) as captured:
        assert source.count() == 30
    assert len(captured) == 1  # the capped count; the exact one was kept by the request above


def test_category_counts_are_kept_per_catalog_version(catalog, django_capture_on_commit_callbacks):
    reset_cache()
    first = selectors.category_product_counts()
    with CaptureQueriesContext(connection) as captured:
        assert selectors.category_product_counts() == first
    assert len(captured) == 1  # the categories; their counts were kept
    root = next(c for c in catalog if c.category.slug == "root").category
    with django_capture_on_commit_callbacks(execute=True):
        product_create(actor=SYSTEM, sku="NEW-2", name="New part", price=Decimal("1.00"), category=root)
    assert selectors.category_product_counts()[root.pk] == first[root.pk] + 1


@pytest.fixture
def parts(settings):
    settings.STORE_CATALOG_CACHE_SECONDS = 0
    made = {}
    for sku, name, mpn, description in [
        ("REG-1", "Adjustable regulator", "LM317DCYR", ""),
        ("REG-2", "Adjustable regulator THT", "LM317T", ""),
        ("AMP-1", "Dual op-amp", "LM358DR", "Not an LM317."),
        ("CAP-1", "Ceramic capacitor 100nF", "GRM188R71H104KA93D", ""),
        ("CAP-2", "Ceramic capacitor 1uF", "GRM155R61A105KE15D", ""),
        ("CAP-3", "Ceramic capacitor 10uF", "CL10A106KP8NNNC", "Replaces GRM188R61A106KE69D."),
    ]:
        made[sku] = ProductFactory(sku=sku, name=name, mpn=mpn, description=description)
    return made


def _found(client, text, **params) -> list[str]:
    response = client.get(URL, {"search": text, **params})
    assert response.status_code == 200, response.content
    return [product["sku"] for product in response.json()["results"]]


@pytest.mark.parametrize("path", ["sql", "orm"])
def test_partial_part_numbers_find_their_parts_first(api_client, parts, monkeypatch, path):
    if path == "orm":
        monkeypatch.setattr(product_json, "product_page_json", lambda **kwargs: None)
    assert _found(api_client, "LM317")[:2] == ["REG-1", "REG-2"]  # prefix hits rank above a mention
    assert set(_found(api_client, "LM317")) <= {"REG-1", "REG-2", "AMP-1"}
    assert _found(api_client, "GRM188") == ["CAP-1"]
    assert _found(api_client, "grm188-r71") == ["CAP-1"]  # normalized: case, dashes
    assert set(_found(api_client, "GRM1")) == {"CAP-1", "CAP-2"}
    assert _found(api_client, "cap-")[0].startswith("CAP")  # SKU prefix
    by_name = _found(api_client, "LM317", ordering="-name")  # an ordering replaces the ranking, same matches
    assert set(by_name) == set(_found(api_client, "LM317"))
    assert by_name == sorted(by_name, key=lambda sku: parts[sku].name, reverse=True)


def test_ranking_is_bounded_yet_every_match_is_listed_once(api_client, settings):
    settings.STORE_CATALOG_CACHE_SECONDS = 0
    settings.STORE_SEARCH_RANK_CANDIDATES = 3
    for i in range(11):
        ProductFactory(sku=f"REG-{i:02d}", name=f"Regulator {i:02d}", description="regulator " * (i % 4))
    ProductFactory(sku="OTHER", name="Resistor")
    seen = []
    for page in (1, 2, 3):
        body = api_client.get(URL, {"search": "regulator", "page_size": 4, "page": page}).json()
        assert body["count"] == 11
        seen += [product["sku"] for product in body["results"]]
    assert sorted(seen) == [f"REG-{i:02d}" for i in range(11)]
    # Past the three ranked candidates, the other matches follow in name order.
    assert seen[3:] == sorted(seen[3:])


def test_sqlite_falls_back_to_the_orm_path_for_pages_cursors_and_search(api_client, parts, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    monkeypatch.setattr(selectors, "connection", SimpleNamespace(vendor="sqlite"))
    assert product_json.product_page_json(filters=selectors.ProductFilters(), page=1, page_size=10) is None
    assert set(_found(api_client, "LM317")) == {"REG-1", "REG-2", "AMP-1"}  # icontains + normalized MPN
    assert _found(api_client, "grm188-r71") == ["CAP-1"]
    first = api_client.get(URL, {"cursor": "", "page_size": 4, "ordering": "-price"}).json()
    second = api_client.get(first["next"]).json()
    expected = list(Product.objects.order_by("-price", "-id").values_list("sku", flat=True))
    assert [p["sku"] for p in first["results"] + second["results"]] == expected


def test_product_detail_is_one_statement_and_answers_like_the_serializer(api_client, parts, monkeypatch):
    inactive = ProductFactory(sku="OLD-1", active=False)
    ProductFactory(sku="reg-1-dup", slug="cap-1")  # a slug equal to another product's SKU: the slug wins
    lookups = ["product-" + str(parts["REG-1"].slug.split("-")[-1]), parts["REG-1"].slug, "reg-1", "CAP-1", "cap-1"]
    for lookup in [*lookups, inactive.slug, "nothing"]:
        with CaptureQueriesContext(connection) as captured:
            fast = api_client.get(f"{URL}{lookup}/")
        assert len(captured) == 1
        monkeypatch.setattr(product_json, "product_detail_json", lambda **kwargs: None)
        orm = api_client.get(f"{URL}{lookup}/")
        monkeypatch.undo()
        assert fast.status_code == orm.status_code, lookup
        fast_body, orm_body = fast.json(), orm.json()
        fast_body.pop("request_id", None), orm_body.pop("request_id", None)
        assert fast_body == orm_body, lookup
    assert api_client.get(f"{URL}cap-1/").json()["sku"] == "reg-1-dup"


def test_a_deep_page_number_costs_what_page_one_costs_once_its_anchors_are_kept(api_client, catalog, monkeypatch):
    monkeypatch.setattr(product_json, "ANCHOR_STEP", 10)
    reset_cache()
    params = {"ordering": "price", "page_size": 5, "page": 9}  # rows 41-45: from the anchor at row 40
    assert _queries(api_client, params) == 2  # the anchors down to row 40, then the page
    assert _queries(api_client, params) == 1
    assert _queries(api_client, {**params, "page": 7}) == 1  # row 31, from the anchor at row 30: kept
    assert _queries(api_client, {**params, "page": 11}) == 2  # row 51: one more anchor, found from row 40's
    assert _queries(api_client, {**params, "page": 11}) == 1
    expected = list(Product.objects.filter(active=True).order_by("price", "id").values_list("id", flat=True))
    assert [p["id"] for p in api_client.get(URL, params).json()["results"]] == expected[40:45]


def _prepared_statements(fragment: str) -> list[tuple[int, int]]:
    """(generic plans, custom plans) of this connection's prepared statements whose text holds ``fragment``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE strpos(statement, %s) > 0",
            [fragment],
        )
        return cursor.fetchall()


def test_a_list_is_planned_once_per_connection_unless_its_values_decide_its_plan(api_client, catalog):
    # PostgreSQL plans a prepared statement without its values (a generic plan) after five runs, and keeps that
    # plan when it looks no dearer than planning again: it does for a list whose page sizes are in its text.
    for _ in range(12):
        api_client.get(URL, {"brand": "acme", "ordering": "-created_at", "page_size": 7})
        api_client.get(URL, {"min_price": "1.25", "max_price": "6.50"})
        api_client.get(URL, {"search": "part"})
    (generic, _), *_ = _prepared_statements("ORDER BY p.created_at DESC, p.id DESC LIMIT 8 OFFSET 0")
    assert generic >= 1  # (with the page's LIMIT a parameter, PostgreSQL planned every run: 0 generic plans)
    # A price range is written into its statement: each range is planned with its width, then kept like the others.
    ((generic, _),) = _prepared_statements("p.price >= '1.25'::numeric AND p.price <= '6.50'::numeric")
    assert generic >= 1
    # A search's plan depends on its words, which stay parameters: never prepared, planned with them every time.
    assert _prepared_statements("websearch_to_tsquery") == []


def test_a_price_bound_must_be_a_finite_decimal():
    assert product_json._price_literal(Decimal("12.5")) == "'12.5'::numeric"
    assert product_json._price_literal(Decimal("1E+3")) == "'1000'::numeric"
    with pytest.raises(ValueError):
        product_json._price_literal(Decimal("NaN"))


def test_without_kept_values_a_deep_page_number_is_an_offset_again(api_client, catalog, settings, monkeypatch):
    monkeypatch.setattr(product_json, "ANCHOR_STEP", 10)
    params = {"ordering": "price", "page_size": 5, "page": 9}
    expected = list(Product.objects.filter(active=True).order_by("price", "id").values_list("id", flat=True))[40:45]

    settings.STORE_CATALOG_COUNT_SECONDS = 0  # kept values off: anchors would be a walk on every request
    assert _queries(api_client, params) == 1
    assert [p["id"] for p in api_client.get(URL, params).json()["results"]] == expected

    settings.STORE_CATALOG_COUNT_SECONDS = 3600

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(selectors.cache, "get_many", down)
    assert _queries(api_client, params) == 1
    assert [p["id"] for p in api_client.get(URL, params).json()["results"]] == expected
