"""The earlier store front's catalog calls (DESIGN.md §5 aliases, §5.3 #1-#5): the shapes its pages read, on the
seeded catalog; agreement with v1; bounded queries; hostile query strings and bodies answer 4xx."""

from __future__ import annotations

from decimal import Decimal

import pytest

from store.models import Category, Product
from store.tests.factories import BrandFactory, CategoryFactory, ProductFactory, TagFactory
from store.tests.legacy_contract import CATEGORY_NODE, PRODUCT, PRODUCT_PAGE, assert_shape, seed_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    seed_store()


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert {"detail", "code", "request_id"} <= set(body)
    if code:
        assert body["code"] == code
    return body


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node["children"])


# --- one contract test per call --------------------------------------------------------------------------


def test_products_list_contract(api_client, seeded):
    response = api_client.get("/api/products", {"skip": 0, "limit": 12})

    assert response.status_code == 200
    body = response.json()
    assert_shape(body, PRODUCT_PAGE)
    assert (len(body["products"]), body["page"], body["per_page"]) == (12, 1, 12)
    assert body["total"] == Product.objects.filter(active=True).count()
    assert body["pages"] == -(-body["total"] // 12)
    # Seeded products carry a brand, a category and tags: the app shows their names.
    first = body["products"][0]
    assert isinstance(first["brand"], str) and first["category"]["name"] and first["tags"]


def test_products_list_pages_by_skip_and_filters_by_category_subtree_and_search(api_client, seeded):
    parent = Category.objects.get(slug="passive-components")
    in_subtree = Product.objects.filter(active=True, category__path__startswith=parent.path).count()

    page = api_client.get("/api/products", {"skip": 4, "limit": 2, "category_id": parent.pk}).json()
    search = api_client.get("/api/products", {"search": "AMS1117"}).json()
    past_end = api_client.get("/api/products", {"skip": 5000, "limit": 5}).json()

    assert page["total"] == in_subtree > 5 and page["page"] == 3 and len(page["products"]) == 2
    assert search["products"][0]["specifications"]["mpn"].startswith("AMS1117")
    assert past_end["products"] == [] and past_end["total"] > 0


def test_products_list_also_pages_by_page_and_per_page(api_client, seeded):
    by_page = api_client.get("/api/products", {"page": 3, "per_page": 4}).json()
    by_skip = api_client.get("/api/products", {"skip": 8, "limit": 4}).json()
    skip_wins = api_client.get("/api/products", {"skip": 0, "page": 3, "limit": 4}).json()

    assert (by_page["page"], by_page["per_page"]) == (3, 4)
    assert [p["id"] for p in by_page["products"]] == [p["id"] for p in by_skip["products"]]
    assert skip_wins["page"] == 1


def test_product_by_slug_and_by_id_contract(api_client, seeded):
    product = Product.objects.filter(active=True).order_by("id").first()

    by_slug = api_client.get(f"/api/products/slug/{product.slug}")
    by_id = api_client.get(f"/api/products/{product.pk}")

    assert by_slug.status_code == by_id.status_code == 200
    assert_shape(by_slug.json(), PRODUCT)
    assert by_slug.json() == by_id.json()
    assert by_id.json()["id"] == product.pk and by_id.json()["sku"] == product.sku


def test_unknown_or_inactive_products_are_404(api_client, seeded):
    hidden = ProductFactory(active=False)
    for path in (f"/api/products/{hidden.pk}", f"/api/products/slug/{hidden.slug}", "/api/products/999999999"):
        _error(api_client.get(path), 404, "product_not_found")
    _error(api_client.get("/api/products/99999999999999999999999"), 404)


def test_categories_contract(api_client, seeded):
    response = api_client.get("/api/categories")

    assert response.status_code == 200
    nodes = list(_walk(response.json()["categories"]))
    assert len(nodes) == Category.objects.filter(active=True).count()
    for node in nodes:
        assert_shape(node, CATEGORY_NODE)
    resistors = next(node for node in nodes if node["slug"] == "resistors")
    assert resistors["path"] == "electronic-components/passive-components/resistors"
    root = next(node for node in nodes if node["slug"] == "electronic-components")
    assert (
        root["product_count"]
        == sum(child["product_count"] for child in root["children"])
        + Product.objects.filter(category=Category.objects.get(slug="electronic-components"), active=True).count()
    )


def test_enhanced_catalog_aliases_answer_the_earlier_shapes(api_client, seeded):
    brands = api_client.get("/api/enhanced-catalog/catalog/brands", {"include_products": "true"}).json()
    collections = api_client.get("/api/enhanced-catalog/catalog/collections").json()
    tags = api_client.get("/api/enhanced-catalog/catalog/tags/popular", {"limit": 10}).json()
    tree = api_client.get("/api/enhanced-catalog/catalog/categories/tree", {"include_product_counts": "true"}).json()

    assert_shape(brands, {"brands": [{"id": "int", "name": "str", "slug": "str", "product_count": "int"}]})
    assert brands["brands"] and all("products" in brand for brand in brands["brands"])
    for brand in brands["brands"]:
        for product in brand["products"]:
            assert_shape(product, PRODUCT)
            assert product["brand"] == brand["name"]
    assert_shape(collections, {"collections": [{"id": "int", "name": "str", "slug": "str", "product_count": "int"}]})
    assert collections["collections"]
    assert_shape(tags, {"tags": ["str"]})
    assert 0 < len(tags["tags"]) <= 10
    assert tree == api_client.get("/api/categories").json()


def test_brands_without_include_products_have_no_products_key(api_client, seeded):
    brands = api_client.get("/api/enhanced-catalog/catalog/brands").json()["brands"]
    assert brands and all("products" not in brand for brand in brands)


def test_advanced_search_contract(api_client, seeded):
    regulators = Category.objects.get(slug="ldo-regulators")
    category = Category.objects.get(path=regulators.path[: -Category.steplen])  # its parent
    response = api_client.post(
        "/api/enhanced-catalog/catalog/search/advanced",
        {
            "query": "AMS1117",
            "filters": {"category_id": category.pk, "min_price": "0", "max_price": "1000", "in_stock": True},
            "sort": "price_asc",
            "page": 1,
            "per_page": 5,
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert_shape(body, PRODUCT_PAGE)
    assert body["total"] >= 1
    prices = [Decimal(product["effective_price"]) for product in body["products"]]
    assert prices == sorted(prices)
    assert all(product["in_stock"] for product in body["products"])


def test_advanced_search_with_an_empty_body_lists_everything(api_client, seeded):
    body = api_client.post("/api/enhanced-catalog/catalog/search/advanced", {}, format="json").json()
    assert body["total"] == Product.objects.filter(active=True).count() and len(body["products"]) == 20


# --- mapping decisions -----------------------------------------------------------------------------------


def test_a_product_on_sale_maps_compare_at_to_price_and_the_v1_price_to_sale_and_effective(api_client):
    product = ProductFactory(price=Decimal("80.00"), compare_at_price=Decimal("100.00"), stock=3, reserved=1)
    plain = ProductFactory(price=Decimal("5.50"), compare_at_price=None, stock=0)

    on_sale = api_client.get(f"/api/products/{product.pk}").json()
    regular = api_client.get(f"/api/products/{plain.pk}").json()

    assert (on_sale["price"], on_sale["sale_price"], on_sale["effective_price"]) == ("100.00", "80.00", "80.00")
    assert (on_sale["stock_qty"], on_sale["in_stock"]) == (2, True)
    assert (regular["price"], regular["sale_price"], regular["effective_price"]) == ("5.50", None, "5.50")
    assert (regular["stock_qty"], regular["in_stock"]) == (0, False)


def test_a_product_without_brand_or_category_answers_nulls(api_client):
    product = ProductFactory(brand=None, category=None, images=["https://cdn.example/a.png", 7], attributes=[1])
    body = api_client.get(f"/api/products/{product.pk}").json()
    assert_shape(body, {**PRODUCT, "category": "dict?"})
    assert (body["brand"], body["category"], body["category_id"]) == (None, None, None)
    assert body["images"] == ["https://cdn.example/a.png"] and body["attributes"] == {}


def test_legacy_and_v1_agree_on_prices_and_stock(api_client, seeded):
    product = Product.objects.filter(active=True).order_by("id").first()
    product.compare_at_price = product.price + 5
    product.save(update_fields=["compare_at_price"])
    v1 = api_client.get("/api/v1/store/products/", {"page_size": 100}).json()
    legacy = api_client.get("/api/products", {"limit": 100}).json()

    assert v1["count"] == legacy["total"]
    by_id = {item["id"]: item for item in v1["results"]}
    assert set(by_id) == {item["id"] for item in legacy["products"]}
    for item in legacy["products"]:
        new = by_id[item["id"]]
        assert item["effective_price"] == new["price"]
        assert item["price"] == (new["compare_at_price"] if item["sale_price"] else new["price"])
        assert (item["stock_qty"], item["in_stock"], item["currency"]) == (
            new["stock_available"],
            new["in_stock"],
            new["currency"],
        )
        assert item["tags"] == [tag["name"] for tag in new["tags"]]
        assert item["category"] == new["category"]
    detail = api_client.get(f"/api/v1/store/products/{product.slug}/").json()
    assert api_client.get(f"/api/products/{product.pk}").json()["stock_qty"] == detail["stock_available"]


def test_stock_changes_reach_the_cached_legacy_reads(api_client, seeded, django_capture_on_commit_callbacks):
    from store.services import SYSTEM
    from store.services.stock import stock_set_on_hand

    product = Product.objects.filter(active=True).order_by("id").first()
    before = api_client.get(f"/api/products/{product.pk}")
    with_capture = api_client.get(f"/api/products/{product.pk}")
    assert with_capture["X-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        stock_set_on_hand(product=product, actor=SYSTEM, on_hand=product.stock.on_hand + 7)

    assert api_client.get(f"/api/products/{product.pk}").json()["stock_qty"] == before.json()["stock_qty"] + 7


# --- bounded queries -------------------------------------------------------------------------------------


@pytest.fixture
def no_cache(settings):
    settings.STORE_CATALOG_CACHE_SECONDS = 0


def _catalog(n: int):
    brand, category, tag = BrandFactory(), CategoryFactory(), TagFactory()
    return [ProductFactory(brand=brand, category=category, tags=[tag]) for _ in range(n)]


def test_product_list_costs_the_same_for_1_or_100(api_client, no_cache, django_assert_num_queries):
    _catalog(100)
    # Count, page rows, stock, tags.
    with django_assert_num_queries(4):
        assert len(api_client.get("/api/products", {"limit": 1}).json()["products"]) == 1
    with django_assert_num_queries(4):
        assert len(api_client.get("/api/products", {"limit": 100}).json()["products"]) == 100


def test_advanced_search_costs_the_same_for_1_or_100(api_client, no_cache, django_assert_max_num_queries):
    _catalog(100)
    for per_page in (1, 100):
        with django_assert_max_num_queries(5):
            body = api_client.post(
                "/api/enhanced-catalog/catalog/search/advanced", {"per_page": per_page}, format="json"
            ).json()
        assert len(body["products"]) == per_page


def test_brands_with_products_and_the_tree_are_bounded(api_client, no_cache, django_assert_max_num_queries):
    for _ in range(5):
        brand = BrandFactory()
        for _ in range(3):
            ProductFactory(brand=brand, tags=[TagFactory()])
    with django_assert_max_num_queries(5):
        brands = api_client.get("/api/enhanced-catalog/catalog/brands", {"include_products": "true"}).json()
    assert len(brands["brands"]) == 5 and all(len(brand["products"]) == 3 for brand in brands["brands"])
    with django_assert_max_num_queries(2):
        api_client.get("/api/categories")


# --- hostile input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"skip": -1},
        {"skip": 10**12},
        {"skip": "abc"},
        {"limit": 0},
        {"limit": -5},
        {"limit": 1000},
        {"limit": "many"},
        {"limit": "1e3"},
        {"category_id": "abc"},
        {"category_id": -1},
        {"category_id": 10**30},
        {"search": "x" * 201},
        {"in_stock": "perhaps"},
        {"page": 0},
        {"page": "two"},
        {"per_page": 101},
        {"page": 1_000_000},
    ],
)
def test_bad_list_parameters_are_400(api_client, query):
    body = _error(api_client.get("/api/products", query), 400)
    assert set(body["errors"]) == set(query)


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/enhanced-catalog/catalog/tags/popular", {"limit": -1}),
        ("/api/enhanced-catalog/catalog/tags/popular", {"limit": "ten"}),
        ("/api/enhanced-catalog/catalog/brands", {"include_products": "maybe"}),
        ("/api/enhanced-catalog/catalog/brands", {"products_limit": 100000}),
        ("/api/categories", {"include_product_counts": "2"}),
    ],
)
def test_bad_alias_parameters_are_400(api_client, path, query):
    _error(api_client.get(path, query), 400)


@pytest.mark.parametrize(
    "body",
    [
        {"page": 0},
        {"page": -3},
        {"per_page": 1000},
        {"page": "two"},
        {"sort": "random"},
        {"filters": "cheap"},
        {"filters": {"min_price": "-1"}},
        {"filters": {"min_price": "10", "max_price": "1"}},
        {"filters": {"category_id": "x"}},
        {"query": ["a"]},
        ["a list"],
    ],
)
def test_bad_search_bodies_are_400(api_client, body):
    _error(api_client.post("/api/enhanced-catalog/catalog/search/advanced", body, format="json"), 400)


def test_unparseable_json_is_400(api_client):
    response = api_client.generic(
        "POST", "/api/enhanced-catalog/catalog/search/advanced", '{"query": "led"', content_type="application/json"
    )
    _error(response, 400)


def test_catalog_reads_ignore_a_junk_session_header(api_client, seeded):
    """The app sends X-Session-ID on every call; catalog reads do not use it, so junk there breaks nothing."""
    response = api_client.get("/api/products", {"limit": 1}, HTTP_X_SESSION_ID="<script>")
    assert response.status_code == 200


def test_catalog_paths_are_read_only(client_for):
    staff = client_for(roles=["store_admin"])
    for path in ("/api/products", "/api/categories", "/api/enhanced-catalog/catalog/brands"):
        _error(staff.post(path, {"name": "X"}, format="json"), 405, "method_not_allowed")
