"""Catalog reads through the API: filters, search, detail, bad input, alias paths."""

from decimal import Decimal

import pytest

from store.models import Category
from store.tests.factories import BrandFactory, CategoryFactory, CollectionFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/store/products/"


def skus(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["sku"] for item in response.json()["results"]]


@pytest.fixture
def catalog():
    """Two brands, a three-level tree, tags, a collection and products placed across them."""
    electronics = CategoryFactory(name="Electronics", slug="electronics")
    ics = CategoryFactory(parent=electronics, name="ICs", slug="ics")
    mcus = CategoryFactory(parent=ics, name="Microcontrollers", slug="mcus")
    tools = CategoryFactory(name="Tools", slug="tools")
    ti, st = BrandFactory(name="Texas Instruments", slug="ti"), BrandFactory(name="ST", slug="st")
    smd, power = TagFactory(name="smd", slug="smd"), TagFactory(name="power", slug="power")
    p = {
        "stm32": ProductFactory(
            sku="MX-STM32",
            name="STM32 microcontroller",
            mpn="STM32F103C8T6",
            brand=st,
            category=mcus,
            price=Decimal("140.00"),
            stock=5,
            tags=[smd],
            description="ARM Cortex-M3 microcontroller for maker boards",
        ),
        "lm358": ProductFactory(
            sku="MX-LM358",
            name="Dual op-amp",
            mpn="LM358DR",
            brand=ti,
            category=ics,
            price=Decimal("6.00"),
            stock=3,
            reserved=3,
            tags=[smd],
            description="General purpose operational amplifier",
        ),
        "tps": ProductFactory(
            sku="MX-TPS54331",
            name="Buck converter",
            mpn="TPS54331DR",
            brand=ti,
            category=ics,
            price=Decimal("25.00"),
            stock=0,
            tags=[smd, power],
            description="Step-down switching regulator 3A",
        ),
        "iron": ProductFactory(
            sku="MX-IRON",
            name="Soldering iron",
            mpn="",
            brand=None,
            category=tools,
            price=Decimal("1500.00"),
            stock=2,
            description="Temperature controlled soldering station",
        ),
        "hidden": ProductFactory(
            sku="MX-HIDDEN",
            name="Retired microcontroller",
            mpn="AT90S1200",
            category=mcus,
            active=False,
            stock=9,
        ),
    }
    CollectionFactory(slug="starter", products=[p["tps"], p["stm32"]])
    return p


def test_list_shows_active_products_with_contract_fields(api_client, catalog):
    response = api_client.get(PRODUCTS)
    assert set(skus(response)) == {"MX-STM32", "MX-LM358", "MX-TPS54331", "MX-IRON"}
    item = next(i for i in response.json()["results"] if i["sku"] == "MX-STM32")
    for field in (
        "id",
        "sku",
        "slug",
        "name",
        "mpn",
        "brand",
        "category",
        "tags",
        "price",
        "currency",
        "stock_available",
    ):
        assert field in item
    assert item["price"] == "140.00" and item["currency"] == "INR" and item["stock_available"] == 5
    assert item["brand"]["slug"] == "st" and item["category"]["slug"] == "mcus"
    assert [t["slug"] for t in item["tags"]] == ["smd"]


def test_category_filter_covers_the_whole_subtree_by_slug_or_id(api_client, catalog):
    assert set(skus(api_client.get(PRODUCTS, {"category": "electronics"}))) == {"MX-STM32", "MX-LM358", "MX-TPS54331"}
    ics = Category.objects.get(slug="ics")
    assert set(skus(api_client.get(PRODUCTS, {"category": ics.pk}))) == {"MX-STM32", "MX-LM358", "MX-TPS54331"}
    assert skus(api_client.get(PRODUCTS, {"category": "mcus"})) == ["MX-STM32"]
    assert skus(api_client.get(PRODUCTS, {"category": "no-such-category"})) == []


def test_brand_tag_collection_price_and_stock_filters(api_client, catalog):
    assert set(skus(api_client.get(PRODUCTS, {"brand": "ti"}))) == {"MX-LM358", "MX-TPS54331"}
    assert skus(api_client.get(PRODUCTS, {"tag": "power"})) == ["MX-TPS54331"]
    # Ordered as curated in the collection.
    assert skus(api_client.get(PRODUCTS, {"collection": "starter"})) == ["MX-TPS54331", "MX-STM32"]
    assert set(skus(api_client.get(PRODUCTS, {"min_price": "10", "max_price": "200"}))) == {"MX-STM32", "MX-TPS54331"}
    # LM358 is fully reserved and TPS54331 has none on hand: neither is in stock.
    assert set(skus(api_client.get(PRODUCTS, {"in_stock": "true"}))) == {"MX-STM32", "MX-IRON"}
    assert set(skus(api_client.get(PRODUCTS, {"in_stock": "false"}))) == {"MX-LM358", "MX-TPS54331"}
    assert skus(api_client.get(PRODUCTS, {"brand": "ti", "tag": "smd", "in_stock": "false", "max_price": "10"})) == [
        "MX-LM358"
    ]


def test_ordering(api_client, catalog):
    assert skus(api_client.get(PRODUCTS, {"ordering": "price"})) == ["MX-LM358", "MX-TPS54331", "MX-STM32", "MX-IRON"]
    assert skus(api_client.get(PRODUCTS, {"ordering": "-price"}))[0] == "MX-IRON"
    assert skus(api_client.get(PRODUCTS, {"ordering": "name"}))[0] == "MX-TPS54331"  # "Buck converter"


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("microcontroller", "MX-STM32"),
        ("stm32f103c8t6", "MX-STM32"),
        ("LM358-DR", "MX-LM358"),  # part number with a dash: normalized MPN
        ("lm358dr", "MX-LM358"),
        ("operational amplifier", "MX-LM358"),
        ("switching regulator", "MX-TPS54331"),
        ("TPS5433", "MX-TPS54331"),  # partial part number: prefix
        ("STM32F103C8T7", "MX-STM32"),  # typo in a part number: trigram fallback
        ("mx-lm3", "MX-LM358"),  # SKU prefix
        ("soldering", "MX-IRON"),
    ],
)
def test_search_finds_by_text_and_part_number(api_client, catalog, query, expected_first):
    found = skus(api_client.get(PRODUCTS, {"search": query}))
    assert found and found[0] == expected_first
    assert "MX-HIDDEN" not in found


def test_search_ranks_name_matches_first_and_combines_with_filters(api_client, catalog):
    found = skus(api_client.get(PRODUCTS, {"search": "microcontroller"}))
    assert found == ["MX-STM32"]  # the inactive "Retired microcontroller" never shows
    assert skus(api_client.get(PRODUCTS, {"search": "microcontroller", "category": "tools"})) == []
    assert skus(api_client.get(PRODUCTS, {"search": "zzzz-nothing"})) == []


def test_detail_by_slug_or_sku(api_client, catalog):
    product = catalog["stm32"]
    by_slug = api_client.get(f"{PRODUCTS}{product.slug}/")
    by_sku = api_client.get(f"{PRODUCTS}MX-STM32/")
    assert by_slug.status_code == by_sku.status_code == 200
    assert by_slug.json()["id"] == by_sku.json()["id"] == product.id
    assert api_client.get(f"{PRODUCTS}mx-stm32/").json()["id"] == product.id  # SKU case-insensitive
    missing = api_client.get(f"{PRODUCTS}{catalog['hidden'].slug}/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "query",
    [
        {"min_price": "abc"},
        {"max_price": "-1"},
        {"min_price": "10", "max_price": "5"},
        {"in_stock": "maybe"},
        {"ordering": "password"},
        {"search": "x" * 500},
        {"min_price": "1e400"},
    ],
)
def test_bad_query_parameters_answer_400_in_the_error_format(api_client, catalog, query):
    response = api_client.get(PRODUCTS, query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["request_id"] and body["errors"]


def test_nul_bytes_in_the_query_are_refused(api_client, catalog):
    response = api_client.get(PRODUCTS, {"search": "a\x00b"})
    assert response.status_code == 400 and response.json()["request_id"]


@pytest.mark.parametrize("query", ["' OR 1=1 --", "<script>", "%%%", "&|!:*()", "   ", "ü∑ unicode ∞", "a:* & !b"])
def test_hostile_search_strings_never_break_the_query(api_client, catalog, query):
    response = api_client.get(PRODUCTS, {"search": query})
    assert response.status_code == 200


def test_huge_page_and_odd_category_values(api_client, catalog):
    assert api_client.get(PRODUCTS, {"page": "9999"}).status_code == 404
    assert api_client.get(PRODUCTS, {"category": "9" * 40}).status_code == 200
    assert api_client.get(PRODUCTS, {"brand": "9" * 40, "tag": "1", "collection": "2"}).status_code == 200


def test_category_tree_brands_collections_and_popular_tags(api_client, catalog):
    tree = api_client.get("/api/v1/store/categories/", {"include_product_counts": "true"}).json()
    assert [node["slug"] for node in tree] == ["electronics", "tools"]
    electronics = tree[0]
    assert electronics["product_count"] == 3
    assert electronics["children"][0]["slug"] == "ics" and electronics["children"][0]["product_count"] == 3
    assert electronics["children"][0]["children"][0]["product_count"] == 1  # mcus: the inactive one not counted
    assert "product_count" not in api_client.get("/api/v1/store/categories/").json()[0]

    brands = api_client.get("/api/v1/store/brands/", {"include_products": "true"}).json()["results"]
    ti = next(b for b in brands if b["slug"] == "ti")
    assert ti["product_count"] == 2 and {p["sku"] for p in ti["products"]} == {"MX-LM358", "MX-TPS54331"}
    assert "products" not in api_client.get("/api/v1/store/brands/").json()["results"][0]

    collections = api_client.get("/api/v1/store/collections/").json()["results"]
    assert collections[0]["slug"] == "starter" and collections[0]["product_count"] == 2

    popular = api_client.get("/api/v1/store/tags/popular/", {"limit": 1}).json()
    assert popular == [{"id": popular[0]["id"], "name": "smd", "slug": "smd", "product_count": 3}]
    assert api_client.get("/api/v1/store/tags/popular/", {"limit": 0}).status_code == 400
    assert api_client.get("/api/v1/store/tags/popular/", {"limit": "x"}).status_code == 400


def test_inactive_category_hides_its_subtree(api_client, catalog):
    Category.objects.filter(slug="ics").update(active=False)
    tree = api_client.get("/api/v1/store/categories/").json()
    assert tree[0]["slug"] == "electronics" and tree[0]["children"] == []


def test_list_items_have_exactly_the_detail_shape(api_client, catalog):
    """Lists render rows directly (no model instances); they must match the detail serializer field for field."""
    for item in api_client.get(PRODUCTS).json()["results"]:
        assert api_client.get(f"{PRODUCTS}{item['slug']}/").json() == item


def test_alias_paths_are_read_only(client_for):
    staff = client_for(roles=["store_admin"])
    response = staff.post("/api/enhanced-catalog/catalog/brands", {"name": "X"}, format="json")
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("param", ["category", "tag", "collection", "brand"])
def test_unicode_digit_filters_answer_without_a_server_error(api_client, param):
    response = api_client.get("/api/v1/store/products/", {param: "\u00b3"})
    assert response.status_code in (200, 400)
