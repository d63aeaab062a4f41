"""Each product's tag ids on its row (store/product_tag_ids.py) follow every write to its tags, in the writing
transaction, and the name-ordered tag lists that test them answer like the many-to-many table."""

import json
from decimal import Decimal

import pytest
from django.db import connection, transaction

from store import product_tag_ids
from store.models import Product, Tag
from store.selectors import product_json
from store.selectors.catalog import ProductFilters
from store.tests.factories import ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


def _tag_ids(product: Product) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tag_ids FROM store_product WHERE id = %s", [product.pk])
        return cursor.fetchone()[0]


def _through_ids(product: Product) -> list[int]:
    return sorted(Product.tags.through.objects.filter(product=product).values_list("tag_id", flat=True))


@pytest.fixture
def tags():
    return [TagFactory(slug=f"t{i}", name=f"t{i}") for i in range(4)]


def test_a_product_carries_its_tag_ids_from_the_start(tags):
    product = ProductFactory(tags=[tags[2], tags[0]])
    assert _tag_ids(product) == sorted([tags[0].pk, tags[2].pk])
    assert _tag_ids(ProductFactory(tags=[])) == []


def test_every_kind_of_tag_write_reaches_the_row(tags):
    product, other = ProductFactory(tags=[tags[0]]), ProductFactory(tags=[tags[0]])
    product.tags.add(tags[1], tags[2])
    assert _tag_ids(product) == _through_ids(product) == [tags[0].pk, tags[1].pk, tags[2].pk]
    product.tags.remove(tags[0])
    assert _tag_ids(product) == [tags[1].pk, tags[2].pk]
    product.tags.set([tags[3]])
    assert _tag_ids(product) == [tags[3].pk]
    product.tags.clear()
    assert _tag_ids(product) == []

    through = Product.tags.through
    through.objects.bulk_create([through(product=product, tag=tag) for tag in tags[:2]])  # no signals, no save()
    assert _tag_ids(product) == [tags[0].pk, tags[1].pk]
    through.objects.filter(product=product, tag=tags[1]).update(tag=tags[3])  # a row changed in place
    assert _tag_ids(product) == [tags[0].pk, tags[3].pk]
    through.objects.filter(tag=tags[0]).delete()  # a bulk delete across products
    assert _tag_ids(product) == [tags[3].pk]
    assert _tag_ids(other) == []

    other.tags.add(tags[3])
    Tag.objects.filter(pk=tags[3].pk).delete()  # the tag itself: its rows go with it
    assert _tag_ids(product) == _tag_ids(other) == []


def test_emptying_the_tag_table_empties_every_product_tag_ids(tags):
    products = [ProductFactory(tags=tags[:2]) for _ in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's open transaction: no deferred checks pending
        cursor.execute("TRUNCATE store_product_tags")
    assert [_tag_ids(product) for product in products] == [[], [], []]


def test_a_rolled_back_tag_write_leaves_the_row_as_it_was(tags):
    product = ProductFactory(tags=[tags[0]])
    with pytest.raises(RuntimeError), transaction.atomic():
        product.tags.add(tags[1])
        assert _tag_ids(product) == [tags[0].pk, tags[1].pk]
        raise RuntimeError
    assert _tag_ids(product) == [tags[0].pk]


def test_other_product_writes_leave_the_tag_ids_alone(tags):
    product = ProductFactory(tags=[tags[1]])
    product.price = Decimal("3.00")
    product.save()
    Product.objects.filter(pk=product.pk).update(name="Renamed")
    assert _tag_ids(product) == [tags[1].pk]


def test_install_is_idempotent_and_uninstall_reverses_it(tags):
    product = ProductFactory(tags=[tags[1], tags[0]])
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's open transaction: no deferred checks pending
    product_tag_ids.install(connection)
    assert _tag_ids(product) == [tags[0].pk, tags[1].pk]
    product_tag_ids.uninstall(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_name = 'store_product' AND column_name = 'tag_ids'"
        )
        assert cursor.fetchone()[0] == 0
    product_tag_ids.install(connection)  # the column comes back filled in from the many-to-many table
    assert _tag_ids(product) == [tags[0].pk, tags[1].pk]


@pytest.mark.parametrize("ordering", [None, "name", "-name", "price"])
def test_a_tag_list_answers_the_many_to_many_table_whichever_way_the_tag_is_named(tags, ordering):
    products = [ProductFactory(name=f"Part {i % 3}", tags=tags[i % 2 : i % 2 + 2]) for i in range(9)]
    ProductFactory(tags=[tags[1]], active=False)
    for value in ("t1", str(tags[1].pk)):  # slug, and id
        filters = ProductFilters(tag=value, ordering=ordering)
        page = product_json.product_page_json(filters=filters, page=1, page_size=100)
        expected = [p.pk for p in products if tags[1] in p.tags.all()]
        assert sorted(item["id"] for item in json.loads(page.results_json)) == sorted(expected)
        assert page.count == len(expected)
