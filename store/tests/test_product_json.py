"""One product representation: the serializer, the Python dict and the SQL page agree for every kind of product."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from store.api.serializers.catalog import ProductSerializer
from store.models import Product
from store.selectors import catalog, product_json
from store.selectors.catalog import ProductFilters
from store.tests.factories import BrandFactory, CategoryFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


def _products() -> list[Product]:
    """Generated products: nulls, unicode, no brand, no category, many tags, odd stock, both timestamp forms."""
    categories = [CategoryFactory(name="Ünïcode ∑ 类别", slug="unicode"), None]
    brands = [BrandFactory(name='Brand "quoted" \\ ß', slug="quoted"), None]
    tags = [TagFactory(name=f"tag {i} ✓", slug=f"tag-{i}") for i in range(12)]
    products = []
    for i in range(24):
        products.append(
            ProductFactory(
                name=f'Part {i} ü ∞ "q" \\ \u2028 {"😀" * (i % 3)}',
                mpn="" if i % 4 == 0 else f"LM{i}−DR",
                manufacturer="" if i % 5 == 0 else "Texas Instruments ™",
                category=categories[i % 2],
                brand=brands[(i // 2) % 2],
                tags=tags[: (i * 5) % 13],  # 0 to 12 tags
                price=Decimal(f"{i * 7 % 23}.{i % 10}{i % 7}"),
                compare_at_price=None if i % 3 else Decimal("1234567.89"),
                attributes={} if i % 2 else {"package": "0603", "ratio": i / 7, "nested": {"list": [1, None, "x"]}},
                images=[] if i % 4 else [f"https://img.example.test/{i}.png", "https://img.example.test/ü.png"],
                datasheet_url="" if i % 2 else f"https://example.test/{i}.pdf",
                description="" if i % 5 else "line one\nline two\t<b>&</b> \x7f",
                stock=i % 4,
                reserved=min(i % 3, i % 4),
            )
        )
    Product.objects.filter(pk__in=[p.pk for p in products[::3]]).update(
        created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), updated_at=datetime(2026, 1, 2, 3, 4, 5, 120, tzinfo=UTC)
    )
    return products


def _normalised(data) -> object:
    """What a client reads: the JSON text parsed again (floats in attributes compare as JSON numbers)."""
    return json.loads(json.dumps(data, ensure_ascii=False))


def test_serializer_dict_and_sql_give_the_same_product():
    products = _products()
    filters = ProductFilters(ordering="sku")

    from_serializer = {
        product.id: _normalised(ProductSerializer(catalog.product_get(lookup=product.slug)).data)
        for product in products
    }
    rows = catalog.product_rows_complete(rows=list(catalog.product_rows(filters=filters)[0:100]))
    from_dict = {row["id"]: _normalised(product_json.product_data(row)) for row in rows}
    page = product_json.product_page_json(filters=filters, page=1, page_size=100)
    from_sql = {item["id"]: item for item in json.loads(page.results_json)}

    assert page.count == len(products)
    assert set(from_serializer) == set(from_dict) == set(from_sql)
    for product_id, expected in from_serializer.items():
        assert list(expected) == list(product_json.PRODUCT_KEYS)
        assert from_dict[product_id] == expected
        assert from_sql[product_id] == expected
    # The cases the generator meant to cover are really there.
    values = list(from_serializer.values())
    assert any(v["brand"] is None for v in values) and any(v["brand"] for v in values)
    assert any(v["category"] is None for v in values) and any(v["category"] for v in values)
    assert any(v["compare_at_price"] is None for v in values)
    assert max(len(v["tags"]) for v in values) == 12
    assert any(v["created_at"] == "2026-01-02T03:04:05Z" for v in values)
    assert any(v["updated_at"] == "2026-01-02T03:04:05.000120Z" for v in values)


def test_the_sql_form_is_generated_from_the_field_list():
    for field in product_json.PRODUCT_FIELDS:
        stored = field.key not in product_json.STOCK_KEYS
        assert (f"'{field.key}', {field.sql}" in product_json.DOCUMENT_JSON_SQL) is stored
        assert (f'"{field.key}" : \' || ({field.sql})::text' in product_json.PRODUCT_TEXT_SQL) is not stored
        assert "%" not in field.sql
    assert set(ProductSerializer.Meta.fields) == set(product_json.PRODUCT_KEYS)
