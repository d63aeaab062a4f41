"""The rendered category tree kept per catalog version: exact after every category or product change, and a
request between changes reads it without a query (the response cache off, as in the uncached benchmark)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from store.models import Category
from store.services import SYSTEM
from store.services import catalog as services
from store.tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

TREES = [
    ("/api/v1/store/categories/", {"include_product_counts": "true"}),
    ("/api/v1/store/categories/", {}),
    ("/api/categories", {}),
    ("/api/enhanced-catalog/catalog/categories/tree", {"include_product_counts": "true"}),
]


@pytest.fixture
def uncached(settings):
    settings.STORE_CATALOG_CACHE_SECONDS = 0


@pytest.fixture
def tree():
    """Two roots; under the first a child with a grandchild; products at every level."""
    tools = CategoryFactory(name="Tools", slug="tools")
    parts = CategoryFactory(name="Parts", slug="parts")
    passives = CategoryFactory(parent=parts, name="Passives", slug="passives")
    resistors = CategoryFactory(parent=passives, name="Resistors", slug="resistors")
    CategoryFactory(parent=tools, name="Empty", slug="empty")
    products = [ProductFactory(category=category) for category in (tools, parts, passives, resistors, resistors)]
    return {"tools": tools, "parts": parts, "passives": passives, "resistors": resistors, "products": products}


def _read(client) -> list:
    answers = []
    for url, params in TREES:
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        answers.append(response.json())
    return answers


def _fresh(client, settings) -> list:
    """The trees computed from the database now, nothing kept."""
    seconds = settings.STORE_CATALOG_COUNT_SECONDS
    settings.STORE_CATALOG_COUNT_SECONDS = 0
    try:
        return _read(client)
    finally:
        settings.STORE_CATALOG_COUNT_SECONDS = seconds


def _slugs(nodes) -> list[str]:
    return [node["slug"] for node in nodes] + [slug for node in nodes for slug in _slugs(node["children"])]


def _node(nodes, slug):
    for node in nodes:
        if node["slug"] == slug:
            return node
        found = _node(node["children"], slug)
        if found:
            return found
    return None


def test_a_kept_tree_is_read_without_a_query(api_client, tree, uncached):
    for url, params in TREES:
        with CaptureQueriesContext(connection) as first:
            built = api_client.get(url, params)
        assert built["X-Cache"] == "miss" and len(first) <= 2  # the categories, and the counts unless kept
        with CaptureQueriesContext(connection) as again:
            kept = api_client.get(url, params)
        assert len(again) == 0, url
        assert kept.content == built.content


def test_a_kept_tree_costs_one_cache_command(api_client, tree, uncached, redis_commands):
    for url, params in TREES:
        api_client.get(url, params)
        redis_commands.clear()
        assert api_client.get(url, params).status_code == 200
        assert redis_commands == ["MGET"], url  # the catalog version and the kept tree together


def _change(django_capture_on_commit_callbacks, write) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        write()


@pytest.mark.parametrize(
    "change",
    [
        "add through the service",
        "add directly",
        "rename through the service",
        "rename directly",
        "move through the service",
        "move with treebeard",
        "make a root",
        "deactivate",
        "delete",
        "move a product",
        "deactivate a product",
        "add a product",
    ],
)
def test_the_kept_tree_is_exact_after_every_change(
    api_client, tree, uncached, settings, django_capture_on_commit_callbacks, change
):
    before = _read(api_client)  # kept now
    assert before == _fresh(api_client, settings)
    resistors, passives, tools = tree["resistors"], tree["passives"], tree["tools"]
    writes = {
        "add through the service": lambda: services.category_create(actor=SYSTEM, name="Capacitors", parent=passives),
        "add directly": lambda: CategoryFactory(parent=tools, name="Clamps", slug="clamps"),
        "rename through the service": lambda: services.category_update(actor=SYSTEM, category=resistors, name="Rs"),
        "rename directly": lambda: _rename_directly(tools, "Hand tools"),
        "move through the service": lambda: services.category_update(
            actor=SYSTEM, category=resistors, parent=tools, move=True
        ),
        "move with treebeard": lambda: Category.objects.move(
            Category.objects.get(pk=passives.pk), Category.objects.get(pk=tools.pk), pos="sorted-child"
        ),
        "make a root": lambda: services.category_update(actor=SYSTEM, category=passives, parent=None, move=True),
        "deactivate": lambda: services.category_update(actor=SYSTEM, category=passives, active=False),
        "delete": lambda: Category.objects.get(slug="empty").delete(),
        "move a product": lambda: services.product_update(actor=SYSTEM, product=tree["products"][3], category=tools),
        "deactivate a product": lambda: services.product_set_active(
            actor=SYSTEM, product_ids=[tree["products"][4].pk], active=False
        ),
        "add a product": lambda: ProductFactory(category=resistors),
    }
    _change(django_capture_on_commit_callbacks, writes[change])

    after = _read(api_client)
    assert after == _fresh(api_client, settings)
    assert after != before  # each change shows


def _rename_directly(category: Category, name: str) -> None:
    """As the admin's form or a shell does: a save, no service."""
    category = Category.objects.get(pk=category.pk)
    category.name = name
    category.save()


def test_a_move_shows_in_the_counts_and_the_legacy_paths(
    api_client, tree, uncached, settings, django_capture_on_commit_callbacks
):
    _read(api_client)
    _change(
        django_capture_on_commit_callbacks,
        lambda: services.category_update(actor=SYSTEM, category=tree["resistors"], parent=tree["tools"], move=True),
    )
    v1, _plain, legacy, _alias = _read(api_client)
    assert _node(v1, "tools")["product_count"] == 3  # its own product and the two resistors
    assert _node(v1, "parts")["product_count"] == 2
    assert _node(legacy["categories"], "resistors")["path"] == "tools/resistors"
    assert "resistors" not in _slugs(_node(v1, "parts")["children"])
