"""Each tag's listing (store/product_tag_listing.py) follows every write to product tags and to the listed product
columns, in the writing transaction, and the tag lists read from it answer like the many-to-many table."""

import json
from decimal import Decimal

import pytest
from django.db import connection, transaction

from store import product_tag_listing
from store.models import Product, Tag
from store.selectors import product_json
from store.selectors.catalog import ProductFilters
from store.tests.factories import ProductFactory, TagFactory

pytestmark = pytest.mark.django_db

LISTED = ", ".join(product_tag_listing.LISTED_COLUMNS)


def _listing() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tag_id, id, {LISTED} FROM {product_tag_listing.TABLE}")  # noqa: S608 - constants
        return set(cursor.fetchall())


def _expected() -> set[tuple]:
    """The listing as the many-to-many table and the products say it should be."""
    rows = set()
    for pair in Product.tags.through.objects.select_related("product"):
        product = pair.product
        values = tuple(getattr(product, name) for name in product_tag_listing.LISTED_COLUMNS)
        rows.add((pair.tag_id, product.pk, *values))
    return rows


def _pairs() -> set[tuple[int, int]]:
    return {(tag_id, product_id) for tag_id, product_id, *_ in _listing()}


@pytest.fixture
def tags():
    return [TagFactory(slug=f"t{i}", name=f"t{i}") for i in range(4)]


def test_a_tagged_product_is_listed_under_each_tag_with_its_columns(tags):
    product = ProductFactory(tags=[tags[2], tags[0]])
    ProductFactory(tags=[])
    assert _pairs() == {(tags[0].pk, product.pk), (tags[2].pk, product.pk)}
    assert _listing() == _expected()


def test_every_kind_of_tag_write_reaches_the_listing(tags):
    product, other = ProductFactory(tags=[tags[0]]), ProductFactory(tags=[tags[0]])
    product.tags.add(tags[1], tags[2])
    assert _listing() == _expected()
    product.tags.remove(tags[0])
    assert _listing() == _expected()
    product.tags.set([tags[3]])
    assert _listing() == _expected()
    product.tags.clear()
    assert _pairs() == {(tags[0].pk, other.pk)}

    through = Product.tags.through
    through.objects.bulk_create([through(product=product, tag=tag) for tag in tags[:2]])  # no signals, no save()
    assert _listing() == _expected()
    through.objects.filter(product=product, tag=tags[1]).update(tag=tags[3])  # a row changed in place
    assert _pairs() == {(tags[0].pk, product.pk), (tags[3].pk, product.pk), (tags[0].pk, other.pk)}
    through.objects.filter(tag=tags[0]).delete()  # a bulk delete across products
    assert _pairs() == {(tags[3].pk, product.pk)}

    other.tags.add(tags[3])
    Tag.objects.filter(pk=tags[3].pk).delete()  # the tag itself: its rows go with it
    assert _listing() == set()


def test_every_listed_column_change_reaches_the_listing(tags):
    product = ProductFactory(tags=[tags[0], tags[1]])
    untouched = ProductFactory(tags=[tags[0]])
    product.price = Decimal("3.00")
    product.name = "Renamed through save"
    product.save()
    assert _listing() == _expected()
    Product.objects.filter(pk=product.pk).update(active=False, sku="NEW-SKU", rating_count=7)  # no save(), no signal
    assert _listing() == _expected()
    Product.objects.filter(pk=product.pk).update(brand=untouched.brand, category=untouched.category)
    assert _listing() == _expected()
    Product.objects.filter(pk=product.pk).update(description="not a listed column")
    assert _listing() == _expected()


def test_a_deleted_product_leaves_the_listing(tags):
    product, other = ProductFactory(tags=[tags[0], tags[1]]), ProductFactory(tags=[tags[0]])
    product.delete()
    assert _pairs() == {(tags[0].pk, other.pk)}
    with connection.cursor() as cursor:  # a raw delete, its tag rows removed first as the foreign key requires
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DELETE FROM store_product_tags WHERE product_id = %s", [other.pk])
        cursor.execute("DELETE FROM store_stocklevel WHERE product_id = %s", [other.pk])
        cursor.execute("DELETE FROM store_product WHERE id = %s", [other.pk])
    assert _listing() == set()


def test_emptying_the_tag_table_empties_the_listing(tags):
    for _ in range(3):
        ProductFactory(tags=tags[:2])
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's open transaction: no deferred checks pending
        cursor.execute("TRUNCATE store_product_tags")
    assert _listing() == set()


def test_a_rolled_back_write_leaves_the_listing_as_it_was(tags):
    product = ProductFactory(tags=[tags[0]], price=Decimal("5.00"))
    before = _listing()
    with pytest.raises(RuntimeError), transaction.atomic():
        product.tags.add(tags[1])
        Product.objects.filter(pk=product.pk).update(price=Decimal("9.00"))
        assert len(_listing()) == 2
        raise RuntimeError
    assert _listing() == before == _expected()


def test_install_is_idempotent_and_uninstall_reverses_it(tags):
    ProductFactory(tags=[tags[1], tags[0]])
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's open transaction: no deferred checks pending
    product_tag_listing.install(connection)
    assert _listing() == _expected()
    product_tag_listing.uninstall(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [product_tag_listing.TABLE])
        assert cursor.fetchone()[0] is None
    ProductFactory(tags=[tags[2]])  # written while there is no listing
    product_tag_listing.install(connection)  # filled in again from the many-to-many table
    assert _listing() == _expected()
    assert len(_listing()) == 3


def _page_ids(filters: ProductFilters) -> tuple[list[int], int]:
    page = product_json.product_page_json(filters=filters, page=1, page_size=100)
    return [item["id"] for item in json.loads(page.results_json)], page.count


@pytest.mark.parametrize("ordering", [None, "name", "-name", "price", "-price", "created_at", "sku", "popularity"])
def test_a_tag_list_answers_the_many_to_many_table_whichever_way_the_tag_is_named(tags, ordering):
    products = [ProductFactory(name=f"Part {i % 3}", tags=tags[i % 2 : i % 2 + 2]) for i in range(9)]
    ProductFactory(tags=[tags[1]], active=False)
    expected = sorted(p.pk for p in products if tags[1] in p.tags.all())
    for value in ("t1", str(tags[1].pk), f" {tags[1].pk} "):  # slug, and id
        ids, count = _page_ids(ProductFilters(tag=value, ordering=ordering))
        assert sorted(ids) == expected
        assert count == len(expected)
    assert _page_ids(ProductFilters(tag="no-such-tag", ordering=ordering)) == ([], 0)
    assert _page_ids(ProductFilters(tag="999999", ordering=ordering)) == ([], 0)


@pytest.mark.parametrize("ordering", ["name", "price"])
def test_a_number_naming_one_tag_by_slug_and_another_by_id_lists_both_once(tags, ordering):
    by_id = tags[0]
    by_slug = TagFactory(slug=str(by_id.pk), name="numbered")
    both = ProductFactory(tags=[by_id, by_slug])
    only_id, only_slug = ProductFactory(tags=[by_id]), ProductFactory(tags=[by_slug])
    ProductFactory(tags=[tags[1]])
    ids, count = _page_ids(ProductFilters(tag=str(by_id.pk), ordering=ordering))
    assert sorted(ids) == sorted([both.pk, only_id.pk, only_slug.pk])
    assert count == 3
