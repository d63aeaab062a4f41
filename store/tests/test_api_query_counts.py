"""Every catalog list costs the same number of queries for a page of 1 and a page of 100."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from makrx.tests.cache_reset import reset_cache
from store.tests.factories import BrandFactory, CategoryFactory, CollectionFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_catalog():
    root = CategoryFactory(slug="root")
    leaves = [CategoryFactory(parent=CategoryFactory(parent=root)) for _ in range(5)]
    brands = [BrandFactory() for _ in range(3)]
    tags = [TagFactory() for _ in range(4)]
    products = [ProductFactory(category=leaves[i % 5], brand=brands[i % 3], tags=tags[: 1 + i % 4]) for i in range(120)]
    for i in range(3):
        CollectionFactory(products=products[i * 10 : i * 10 + 10])
    for i in range(110):
        BrandFactory(slug=f"extra-brand-{i}")
        TagFactory(slug=f"extra-tag-{i}")
    return products


def count_queries(client, url, params) -> int:
    reset_cache()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize(
    ("url", "params", "bound"),
    [
        ("/api/v1/store/products/", {}, 4),
        ("/api/v1/store/products/", {"category": "root", "tag": "tag-0", "in_stock": "true"}, 5),
        ("/api/v1/store/products/", {"search": "part", "ordering": "-price"}, 5),
        ("/api/v1/store/products/", {"collection": "collection-0"}, 5),
        ("/api/v1/store/brands/", {}, 2),
        ("/api/v1/store/brands/", {"include_products": "true", "products_limit": "100"}, 5),
        ("/api/v1/store/collections/", {}, 2),
        ("/api/v1/store/tags/", {}, 2),
    ],
)
def test_list_query_count_does_not_grow_with_page_size(
    api_client, big_catalog, django_assert_max_num_queries, url, params, bound
):
    small = count_queries(api_client, url, {**params, "page_size": 1})
    large = count_queries(api_client, url, {**params, "page_size": 100})
    assert small == large
    reset_cache()  # unknown parameters no longer bypass the cache (keys are the validated parameters)
    with django_assert_max_num_queries(bound):
        assert api_client.get(url, {**params, "page_size": 100})["X-Cache"] == "miss"


@pytest.mark.parametrize(
    ("url", "params", "bound"),
    [
        ("/api/v1/store/categories/", {"include_product_counts": "true"}, 2),
        ("/api/v1/store/tags/popular/", {"limit": 100}, 1),
    ],
)
def test_tree_and_popular_tags_cost_a_fixed_number_of_queries(
    api_client, big_catalog, django_assert_max_num_queries, url, params, bound
):
    with django_assert_max_num_queries(bound):
        assert api_client.get(url, params).status_code == 200
