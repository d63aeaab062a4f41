"""The stored product document (store/product_documents.py) follows every write to what it shows, in the writing
transaction, and the list and detail answer exactly what the serializer would."""

import json
from decimal import Decimal

import pytest
from django.db import connection, transaction

from store import product_documents
from store.api.serializers.catalog import ProductSerializer
from store.models import Brand, Category, Product, StockLevel, Tag
from store.selectors import catalog, product_json
from store.selectors.catalog import ProductFilters
from store.tests.factories import BrandFactory, CategoryFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


def _stored(product: Product) -> dict | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT document FROM store_product_document WHERE product_id = %s", [product.pk])
        row = cursor.fetchone()
    return None if row is None else json.loads(row[0] + "}")  # stored open: the list appends stock, then "}"


def _expected(product: Product) -> dict:
    data = json.loads(json.dumps(ProductSerializer(catalog.product_get(lookup=product.slug)).data))
    for key in product_json.STOCK_KEYS:
        data.pop(key)
    return data


def _listed(**filters) -> dict[int, dict]:
    page = product_json.product_page_json(filters=ProductFilters(ordering="sku", **filters), page=1, page_size=100)
    return {item["id"]: item for item in json.loads(page.results_json)}


@pytest.fixture
def product():
    return ProductFactory(
        name="Buck converter",
        brand=BrandFactory(name="Texas", slug="texas"),
        category=CategoryFactory(name="Power", slug="power"),
        tags=[TagFactory(name="smd", slug="smd")],
        price=Decimal("12.50"),
        stock=7,
    )


def test_a_new_product_has_its_document_with_its_tags(product):
    assert _stored(product) == _expected(product)
    assert [tag["slug"] for tag in _stored(product)["tags"]] == ["smd"]


def test_product_writes_of_every_kind_reach_the_document(product):
    product.price = Decimal("9.99")
    product.save()
    assert _stored(product)["price"] == "9.99"

    Product.objects.filter(pk=product.pk).update(name="Buck converter 3A")  # a bulk update, no save()
    assert _stored(product)["name"] == "Buck converter 3A"

    product.tags.add(TagFactory(name="automotive", slug="automotive"))
    assert [tag["slug"] for tag in _stored(product)["tags"]] == ["automotive", "smd"]
    product.tags.remove(Tag.objects.get(slug="smd"))
    assert [tag["slug"] for tag in _stored(product)["tags"]] == ["automotive"]
    product.tags.set([])
    assert _stored(product)["tags"] == []
    product.refresh_from_db()
    assert _stored(product) == _expected(product)


def test_renaming_a_brand_category_or_tag_reaches_its_products(product):
    other = ProductFactory(brand=product.brand, category=product.category, tags=list(product.tags.all()))
    untouched = ProductFactory()
    before = _stored(untouched)

    Brand.objects.filter(pk=product.brand_id).update(name="TI", slug="ti")
    category = Category.objects.get(pk=product.category_id)
    category.name = "Power ICs"
    category.save()
    Tag.objects.filter(slug="smd").update(name="SMD parts")

    for item in (product, other):
        stored = _stored(item)
        assert stored["brand"]["name"] == "TI" and stored["brand"]["slug"] == "ti"
        assert stored["category"]["name"] == "Power ICs"
        assert stored["tags"][0]["name"] == "SMD parts"
        item.refresh_from_db()
        assert stored == _expected(item)
    assert _stored(untouched) == before


def test_deleting_a_tag_takes_it_off_its_products(product):
    Tag.objects.get(slug="smd").delete()
    assert _stored(product)["tags"] == []


def test_a_rolled_back_write_leaves_the_document_as_it_was(product):
    before = _stored(product)
    with pytest.raises(RuntimeError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(price=Decimal("1.00"))
        assert _stored(product)["price"] == "1.00"
        raise RuntimeError
    assert _stored(product) == before


def test_stock_is_read_per_request_not_stored(product):
    assert _listed()[product.pk]["stock_available"] == 7
    StockLevel.objects.filter(product=product).update(on_hand=2, reserved=2)
    listed = _listed()[product.pk]
    assert listed["stock_available"] == 0 and listed["in_stock"] is False
    assert "stock_available" not in _stored(product)


def test_a_row_without_a_document_is_rendered_on_the_spot(product):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM store_product_document WHERE product_id = %s", [product.pk])
    assert _stored(product) is None
    expected = {**_expected(product), "stock_available": 7, "in_stock": True}
    assert _listed()[product.pk] == expected
    detail = json.loads(product_json.product_detail_json(lookup=product.slug))
    assert detail == expected


def test_install_replaces_an_older_rendering_function_and_renders_every_document(product):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION store_product_document(p store_product) RETURNS text"
            " LANGUAGE sql STABLE AS $fn$ SELECT '{\"stale\": true' $fn$"  # stored open, like the real one
        )
        cursor.execute("COMMENT ON FUNCTION store_product_document(store_product) IS 'makrx:an-older-version'")
        cursor.execute("SELECT store_product_document_refresh(ARRAY(SELECT id FROM store_product))")
    assert _stored(product) == {"stale": True}

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's open transaction: no deferred checks pending
    assert product_documents.install(connection) is True
    assert _stored(product) == _expected(product)
    assert product_documents.install(connection) is False  # current: nothing to redo, and still right
    assert _stored(product) == _expected(product)


def test_the_list_shows_exactly_the_serializer_form_after_writes(product):
    ProductFactory.create_batch(3, tags=[TagFactory()])
    Brand.objects.filter(pk=product.brand_id).update(name="Renamed")
    listed = _listed()
    for item in Product.objects.all():
        serialized = json.loads(json.dumps(ProductSerializer(catalog.product_get(lookup=item.slug)).data))
        assert listed[item.pk] == serialized


def test_deleting_a_product_deletes_its_document(product):
    product_id = product.pk
    StockLevel.objects.filter(product=product).delete()
    Product.objects.filter(pk=product_id).delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM store_product_document WHERE product_id = %s", [product_id])
        assert cursor.fetchone()[0] == 0


def test_refreshing_the_search_vector_leaves_the_document_alone(product):
    from store.services.catalog import product_search_refresh

    with connection.cursor() as cursor:  # a marker only a re-render would overwrite
        cursor.execute("UPDATE store_product_document SET document = '{' WHERE product_id = %s", [product.pk])
    product_search_refresh(product_ids=[product.pk])
    assert _stored(product) == {}
    Product.objects.filter(pk=product.pk).update(name="Renamed")  # a column the document shows: rendered
    assert _stored(product)["name"] == "Renamed"
