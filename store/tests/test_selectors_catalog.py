"""Catalog selectors: category counts against brute force on a random tree, the SQLite search fallback."""

import random
from types import SimpleNamespace

import pytest

from store.models import Category, Product
from store.selectors import catalog as selectors
from store.tests.factories import BrandFactory, CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _random_tree(rng: random.Random, size: int) -> list[Category]:
    nodes: list[Category] = []
    for i in range(size):
        parent = rng.choice(nodes) if nodes and rng.random() < 0.8 else None
        nodes.append(CategoryFactory(parent=parent, name=f"Node {rng.randint(0, 10**6):07d} {i}"))
    return list(Category.objects.all())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_category_counts_equal_a_brute_force_count_on_a_random_tree(seed):
    rng = random.Random(seed)
    categories = _random_tree(rng, 40)
    brand = BrandFactory()
    for _ in range(150):
        ProductFactory(category=rng.choice(categories), brand=brand, active=rng.random() > 0.2)

    counts = selectors.category_product_counts()

    for category in categories:
        subtree = [c.pk for c in categories if c.path.startswith(category.path)]
        brute = Product.objects.filter(active=True, category_id__in=subtree).count()
        assert counts[category.pk] == brute, category.path

    def walk(nodes):
        for node in nodes:
            assert node.product_count == counts[node.id]
            walk(node.children)

    walk(selectors.category_tree(include_product_counts=True))


def test_category_tree_costs_two_queries_whatever_its_size(django_assert_num_queries):
    rng = random.Random(7)
    _random_tree(rng, 60)
    with django_assert_num_queries(2):
        selectors.category_tree(include_product_counts=True)


def test_subtree_filter_equals_the_counted_products():
    root = CategoryFactory(slug="root")
    child = CategoryFactory(parent=root)
    grandchild = CategoryFactory(parent=child)
    for category in (root, child, grandchild, grandchild):
        ProductFactory(category=category)
    ProductFactory(category=CategoryFactory(slug="other"))
    listed = selectors.product_list(filters=selectors.ProductFilters(category="root"))
    assert listed.count() == selectors.category_product_counts()[root.pk] == 4


def test_search_fallback_without_postgresql_uses_plain_matching(monkeypatch):
    ProductFactory(sku="MX-A", name="Ceramic capacitor", mpn="CL10B104KB8NNNC")
    ProductFactory(sku="MX-B", name="Resistor", mpn="0603WAF1002T5E", description="10k chip resistor")
    monkeypatch.setattr(selectors, "connection", SimpleNamespace(vendor="sqlite"))

    def found(text):
        return [p.sku for p in selectors.product_list(filters=selectors.ProductFilters(search=text))]

    assert found("capacitor") == ["MX-A"]
    assert found("cl10b-104") == ["MX-A"]  # normalized part number
    assert found("chip resistor") == ["MX-B"]
    assert found("nothing") == []
