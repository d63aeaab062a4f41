"""Staff writes: products, stock, categories, brands, collections, tags; everyone else is refused."""

from decimal import Decimal

import pytest

from store.models import Brand, Category, Collection, Product, StockLevel, StockMovement, Tag
from store.tests.factories import BrandFactory, CategoryFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/store/products/"
NEW_PRODUCT = {"sku": "MX-NEW-1", "name": "NE555 timer", "mpn": "NE555P", "price": "12.50"}


@pytest.fixture
def staff(client_for):
    return client_for(roles=["store_admin"])


@pytest.mark.parametrize("roles", [["store_admin"], ["admin"], ["super_admin"]])
def test_store_staff_create_a_product(client_for, roles):
    brand, category, tag = BrandFactory(), CategoryFactory(), TagFactory(slug="timer")
    client = client_for(roles=roles)
    body = {**NEW_PRODUCT, "brand": brand.pk, "category": category.pk, "tags": ["timer"], "on_hand": 7}
    response = client.post(PRODUCTS, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["sku"] == "MX-NEW-1" and data["stock_available"] == 7 and data["currency"] == "INR"
    assert data["slug"] == "ne555-timer-mx-new-1"
    product = Product.objects.get(sku="MX-NEW-1")
    assert product.mpn_normalized == "NE555P" and product.price == Decimal("12.50")
    assert list(product.tags.all()) == [tag] and product.stock.on_hand == 7
    # Findable by search right away (search vector refreshed by the service).
    assert client.get(PRODUCTS, {"search": "ne555"}).json()["results"][0]["sku"] == "MX-NEW-1"


@pytest.mark.parametrize("roles", [[], ["makerspace_admin"], ["service_provider"]])
def test_others_cannot_write_the_catalog(client_for, roles):
    product = ProductFactory(stock=5)
    client = client_for(roles=roles)
    attempts = [
        client.post(PRODUCTS, NEW_PRODUCT, format="json"),
        client.patch(f"{PRODUCTS}{product.slug}/", {"price": "1.00"}, format="json"),
        client.post(f"{PRODUCTS}{product.slug}/stock/", {"on_hand": 0}, format="json"),
        client.post("/api/v1/store/categories/", {"name": "X"}, format="json"),
        client.post("/api/v1/store/brands/", {"name": "X"}, format="json"),
        client.post("/api/v1/store/tags/", {"name": "X"}, format="json"),
        client.post("/api/v1/store/collections/", {"name": "X"}, format="json"),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert all(r.json()["code"] == "permission_denied" for r in attempts)
    product.refresh_from_db()
    assert product.price == Decimal("10.00") and product.stock.on_hand == 5
    assert not Product.objects.filter(sku="MX-NEW-1").exists()


def test_anonymous_writes_get_401(api_client):
    product = ProductFactory()
    response = api_client.post(PRODUCTS, NEW_PRODUCT, format="json")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert "Bearer" in response["WWW-Authenticate"]
    assert api_client.post(f"{PRODUCTS}{product.slug}/stock/", {"on_hand": 1}, format="json").status_code == 401


def test_duplicate_sku_or_slug_is_a_409(staff):
    ProductFactory(sku="MX-NEW-1", slug="taken")
    assert staff.post(PRODUCTS, NEW_PRODUCT, format="json").json()["code"] == "duplicate"
    response = staff.post(PRODUCTS, {**NEW_PRODUCT, "sku": "MX-NEW-2", "slug": "taken"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "duplicate"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"sku": "MX-1", "name": "x"},
        {**NEW_PRODUCT, "price": "-1"},
        {**NEW_PRODUCT, "price": "abc"},
        {**NEW_PRODUCT, "price": "1.234"},
        {**NEW_PRODUCT, "price": "99999999999"},
        {**NEW_PRODUCT, "sku": "bad sku with spaces"},
        {**NEW_PRODUCT, "sku": "x" * 65},
        {**NEW_PRODUCT, "currency": "RUPEES"},
        {**NEW_PRODUCT, "brand": 999999},
        {**NEW_PRODUCT, "brand": "not-an-id"},
        {**NEW_PRODUCT, "tags": ["no-such-tag"]},
        {**NEW_PRODUCT, "tags": "smd"},
        {**NEW_PRODUCT, "attributes": ["not", "an", "object"]},
        {**NEW_PRODUCT, "images": ["javascript:alert(1)"]},
        {**NEW_PRODUCT, "on_hand": -3},
        {**NEW_PRODUCT, "on_hand": 10**12},
        {**NEW_PRODUCT, "name": "a\x00b"},
    ],
)
def test_invalid_product_input_is_a_400_and_nothing_is_written(staff, body):
    response = staff.post(PRODUCTS, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert Product.objects.count() == 0


def test_malformed_json_is_a_400(staff):
    response = staff.post(PRODUCTS, data=b'{"sku": ', content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


def test_patch_by_slug_or_sku_updates_and_keeps_unique(staff):
    product = ProductFactory(sku="MX-1", mpn="lm 358")
    ProductFactory(sku="MX-2")
    response = staff.patch(f"{PRODUCTS}MX-1/", {"price": "99.99", "mpn": "LM358-N", "active": False}, format="json")
    assert response.status_code == 200, response.content
    product.refresh_from_db()
    assert product.price == Decimal("99.99") and product.mpn_normalized == "LM358N" and not product.active
    # Inactive products can still be addressed by staff writes.
    assert staff.patch(f"{PRODUCTS}{product.slug}/", {"active": True}, format="json").status_code == 200
    clash = staff.patch(f"{PRODUCTS}MX-1/", {"sku": "MX-2"}, format="json")
    assert clash.status_code == 409 and clash.json()["code"] == "duplicate"
    assert staff.patch(f"{PRODUCTS}nope/", {"price": "1"}, format="json").status_code == 404
    assert staff.patch(f"{PRODUCTS}MX-1/", {"on_hand": 5}, format="json").status_code == 400


def test_stock_set_on_hand_refuses_to_go_below_reserved(staff):
    product = ProductFactory(sku="MX-1", stock=10, reserved=4)
    ok = staff.post(f"{PRODUCTS}MX-1/stock/", {"on_hand": 6}, format="json")
    assert ok.status_code == 200 and ok.json() == {"product": product.pk, "on_hand": 6, "reserved": 4, "available": 2}
    refused = staff.post(f"{PRODUCTS}MX-1/stock/", {"on_hand": 3}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "below_reserved"
    assert StockLevel.objects.get(product=product).on_hand == 6
    movement = StockMovement.objects.get(product=product)
    assert movement.on_hand_delta == -4 and movement.kind == "adjustment" and movement.actor == staff.user
    for bad in ({"on_hand": -1}, {"on_hand": "many"}, {}, {"on_hand": 10**12}):
        assert staff.post(f"{PRODUCTS}MX-1/stock/", bad, format="json").status_code == 400
    assert staff.post(f"{PRODUCTS}nope/stock/", {"on_hand": 1}, format="json").status_code == 404


def test_staff_manage_categories_brands_tags_and_collections(staff):
    root = staff.post("/api/v1/store/categories/", {"name": "Electronics"}, format="json")
    assert root.status_code == 201 and root.json()["parent"] is None
    child = staff.post("/api/v1/store/categories/", {"name": "Sensors", "parent": root.json()["id"]}, format="json")
    assert child.status_code == 201 and child.json()["parent"] == root.json()["id"] and child.json()["depth"] == 2
    assert staff.post("/api/v1/store/categories/", {"name": "Dup", "slug": "sensors"}, format="json").status_code == 409
    other = CategoryFactory(slug="tools")
    moved = staff.patch(f"/api/v1/store/categories/{child.json()['id']}/", {"parent": other.pk}, format="json")
    assert moved.status_code == 200 and moved.json()["parent"] == other.pk
    cycle = staff.patch(f"/api/v1/store/categories/{root.json()['id']}/", {"parent": root.json()["id"]}, format="json")
    assert cycle.status_code == 400
    assert staff.patch("/api/v1/store/categories/999999/", {"name": "x"}, format="json").status_code == 404

    brand = staff.post("/api/v1/store/brands/", {"name": "Adafruit", "website": "https://adafruit.com"}, format="json")
    assert brand.status_code == 201 and brand.json()["slug"] == "adafruit"
    assert staff.post("/api/v1/store/brands/", {"name": "Adafruit"}, format="json").status_code == 409
    assert staff.patch("/api/v1/store/brands/adafruit/", {"description": "NYC"}, format="json").status_code == 200
    assert Brand.objects.get(slug="adafruit").description == "NYC"

    assert staff.post("/api/v1/store/tags/", {"name": "i2c"}, format="json").status_code == 201
    assert Tag.objects.filter(slug="i2c").exists()

    products = [ProductFactory(), ProductFactory()]
    collection = staff.post(
        "/api/v1/store/collections/",
        {"name": "Starter", "products": [products[1].pk, products[0].pk]},
        format="json",
    )
    assert collection.status_code == 201 and collection.json()["product_count"] == 2
    ordered = staff.get(PRODUCTS, {"collection": "starter"}).json()["results"]
    assert [p["id"] for p in ordered] == [products[1].pk, products[0].pk]
    missing = staff.patch("/api/v1/store/collections/starter/", {"products": [999999]}, format="json")
    assert missing.status_code == 404
    assert Collection.objects.get(slug="starter").entries.count() == 2
    assert Category.objects.filter(slug__in=["electronics", "sensors", "tools"]).count() == 3


@pytest.mark.parametrize(
    "body",
    [
        {"parent": None},
        {"parent": "abc"},
        {"parent": 999999},
        {"name": ""},
        {"name": "x" * 201},
        {"slug": "not a slug"},
        {"active": "perhaps"},
    ],
)
def test_category_patch_edge_cases_never_500(staff, body):
    first, second = CategoryFactory(slug="a-first", name="A first"), CategoryFactory(slug="b-second", name="B")
    child = CategoryFactory(parent=second, slug="child", name="Child")
    for target in (first, second, child):
        response = staff.patch(f"/api/v1/store/categories/{target.pk}/", body, format="json")
        assert response.status_code in (200, 400, 409), (target.slug, response.content)
    tree = staff.get("/api/v1/store/categories/").json()
    assert {node["slug"] for node in tree} >= {"a-first", "b-second"}


def test_moving_a_category_under_its_own_descendant_is_refused(staff):
    root = CategoryFactory(slug="root")
    child = CategoryFactory(parent=root, slug="child")
    response = staff.patch(f"/api/v1/store/categories/{root.pk}/", {"parent": child.pk}, format="json")
    assert response.status_code == 400
    assert Category.objects.get(pk=child.pk).path.startswith(Category.objects.get(pk=root.pk).path)


def test_creating_an_inactive_collection_answers_201(staff):
    """Regression (fuzzing): the response was read back through the active-only list → 500."""
    product = ProductFactory()
    response = staff.post(
        "/api/v1/store/collections/", {"name": "Hidden", "active": False, "products": [product.pk]}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["product_count"] == 1
    assert Collection.objects.get(slug="hidden").active is False
    assert staff.get("/api/v1/store/collections/").json()["count"] == 0


def test_category_parent_is_nullable_in_the_schema(staff):
    """Regression (schemathesis response-schema check): a root category answers parent null; the schema said int."""
    root = staff.post("/api/v1/store/categories/", {"name": "Roots"}, format="json")
    assert root.status_code == 201 and root.json()["parent"] is None
    schema = staff.get("/api/schema/").json()
    assert schema["components"]["schemas"]["Category"]["properties"]["parent"]["nullable"] is True


def test_brand_write_answers_carry_product_count_and_match_the_schema(staff):
    """Regression (schemathesis response-schema check): POST/PATCH brand answers lacked ``product_count``, and
    the schema required ``products``, which only ``include_products=true`` lists carry."""
    created = staff.post("/api/v1/store/brands/", {"name": "Pololu"}, format="json")
    assert created.status_code == 201 and created.json()["product_count"] == 0
    ProductFactory(brand=Brand.objects.get(slug="pololu"))
    patched = staff.patch("/api/v1/store/brands/pololu/", {"description": "Las Vegas"}, format="json")
    assert patched.status_code == 200 and patched.json()["product_count"] == 1
    listed = staff.get("/api/v1/store/brands/").json()["results"]
    assert listed[0]["product_count"] == 1 and "products" not in listed[0]
    brand_schema = staff.get("/api/schema/").json()["components"]["schemas"]["Brand"]
    assert "product_count" in brand_schema["required"] and "products" not in brand_schema["required"]
