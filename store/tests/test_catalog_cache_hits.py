"""What a catalog cache hit costs (one Redis command, no query), and that answering it early changes no answer."""

import pytest
from django.core.cache import cache

from store import catalog_cache
from store.catalog_cache import VERSION_KEY
from store.models import Product
from store.tests.factories import BrandFactory, CategoryFactory, CollectionFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/store/products/"


@pytest.fixture
def catalog():
    root = CategoryFactory(slug="root", name="Root")
    leaf = CategoryFactory(parent=root, slug="leaf", name="Leaf")
    brand = BrandFactory(slug="acme")
    tag = TagFactory(slug="smd")
    products = [
        ProductFactory(sku=f"MX-{n}", category=leaf if n % 2 else root, brand=brand, tags=[tag], stock=n)
        for n in range(4)
    ]
    CollectionFactory(slug="picks", products=products[:2])
    return products


def _reads(products) -> list[tuple[str, dict]]:
    """Every cached catalog read: the v1 paths and the earlier store front's aliases."""
    product = products[1]
    return [
        (PRODUCTS, {}),
        (PRODUCTS, {"in_stock": "true", "ordering": "price", "page_size": "2"}),
        (PRODUCTS, {"cursor": "", "ordering": "name"}),
        (PRODUCTS, {"category": "root", "search": "MX"}),
        (f"{PRODUCTS}{product.sku}/", {}),
        ("/api/v1/store/categories/", {"include_product_counts": "true"}),
        ("/api/v1/store/categories/", {}),
        ("/api/v1/store/brands/", {"include_products": "true"}),
        ("/api/v1/store/collections/", {}),
        ("/api/v1/store/tags/", {}),
        ("/api/v1/store/tags/popular/", {"limit": "5"}),
        ("/api/products", {"skip": "1", "limit": "2"}),
        (f"/api/products/slug/{product.slug}", {}),
        (f"/api/products/{product.pk}", {}),
        ("/api/categories", {}),
        ("/api/enhanced-catalog/catalog/categories/tree", {"include_product_counts": "true"}),
        ("/api/enhanced-catalog/catalog/brands", {}),
        ("/api/enhanced-catalog/catalog/collections", {}),
        ("/api/enhanced-catalog/catalog/tags/popular", {}),
    ]


def test_a_hit_costs_one_redis_command_and_no_query(api_client, catalog, redis_commands, django_assert_num_queries):
    for url, params in _reads(catalog):
        first = api_client.get(url, params)
        assert first.status_code == 200 and first["X-Cache"] == "miss", (url, first.content)
        redis_commands.clear()
        with django_assert_num_queries(0):
            again = api_client.get(url, params)
        assert again["X-Cache"] == "hit", url
        assert again.content == first.content
        assert redis_commands == ["GET"], (url, redis_commands)  # the catalog version; the body is this process's


def test_a_body_cached_by_another_process_costs_a_second_command(api_client, catalog, redis_commands):
    first = api_client.get(PRODUCTS)
    catalog_cache.local_copies_clear()  # what another worker process starts with
    redis_commands.clear()
    again = api_client.get(PRODUCTS)
    assert again["X-Cache"] == "hit" and again.content == first.content
    assert redis_commands == ["GET", "GET"]  # the version, then the body (kept here from now on)
    redis_commands.clear()
    api_client.get(PRODUCTS)
    assert redis_commands == ["GET"]


def test_a_change_made_in_another_process_is_seen_on_the_next_request(api_client, catalog):
    """This process keeps bodies, never the version: another process's bump shows at once."""
    assert api_client.get(PRODUCTS).json()["results"][0]["name"] != "Renamed elsewhere"
    assert api_client.get(PRODUCTS)["X-Cache"] == "hit"
    Product.objects.filter(sku="MX-0").update(name="Renamed elsewhere")  # no signal: as in another process...
    cache.incr(VERSION_KEY)  # ...whose commit bumped the version
    response = api_client.get(PRODUCTS)
    assert response["X-Cache"] == "miss"
    assert "Renamed elsewhere" in [item["name"] for item in response.json()["results"]]


def test_junk_parameters_are_hits_without_new_cache_entries(api_client, catalog, redis_commands, monkeypatch):
    stored: list[str] = []
    original_set = catalog_cache.cache.set
    monkeypatch.setattr(
        catalog_cache.cache, "set", lambda key, *a, **k: stored.append(key) or original_set(key, *a, **k)
    )
    assert api_client.get(PRODUCTS)["X-Cache"] == "miss"
    for n in range(20):
        response = api_client.get(PRODUCTS, {"utm_source": n, "zzz": "y" * n})
        assert response["X-Cache"] == "hit"
        assert b"utm_source" not in response.content
    assert len(stored) == 1


def test_invalid_input_still_answers_400_on_a_cached_path(api_client, catalog):
    assert api_client.get(PRODUCTS, {"min_price": "1"})["X-Cache"] == "miss"
    assert api_client.get(PRODUCTS, {"min_price": "1"})["X-Cache"] == "hit"
    for _ in range(2):
        assert api_client.get(PRODUCTS, {"min_price": "abc"}).status_code == 400
        assert api_client.get("/api/v1/store/tags/popular/", {"limit": "0"}).status_code == 400
    assert api_client.get(f"{PRODUCTS}no-such-part/").status_code == 404
    assert api_client.get(f"{PRODUCTS}no-such-part/").status_code == 404


def test_a_bad_token_or_an_unacceptable_accept_header_is_refused_as_before(api_client, catalog):
    """A cached public read still authenticates a request that carries credentials, and still negotiates."""
    assert api_client.get(PRODUCTS)["X-Cache"] == "miss"
    assert api_client.get(PRODUCTS)["X-Cache"] == "hit"
    refused = api_client.get(PRODUCTS, HTTP_AUTHORIZATION="Bearer a b")
    assert refused.status_code == 401
    assert api_client.get(PRODUCTS, HTTP_ACCEPT="application/xml").status_code == 406
    assert api_client.get(PRODUCTS, HTTP_ACCEPT="application/xml").status_code == 406
    assert api_client.get(PRODUCTS, {"format": "xml"}).status_code == 404


def test_an_early_hit_carries_the_headers_of_a_hit_through_drf(api_client, catalog):
    api_client.get(PRODUCTS, HTTP_ORIGIN="http://localhost:3000")
    catalog_cache.local_copies_clear()  # this request is new to the process: answered through DRF
    through_drf = api_client.get(PRODUCTS, HTTP_ORIGIN="http://localhost:3000")
    early = api_client.get(PRODUCTS, HTTP_ORIGIN="http://localhost:3000")
    assert through_drf["X-Cache"] == early["X-Cache"] == "hit"

    def headers(response):
        found = {name: value for name, value in response.headers.items() if name != "X-Request-ID"}
        # DRF's session authentication reads the session, so Django adds "Cookie" to Vary; the early hit reads no
        # session. The body never depends on a cookie (one cached body for every caller), so that Vary was moot.
        found["Vary"] = ", ".join(part for part in found["Vary"].split(", ") if part != "Cookie")
        return found

    assert headers(early) == headers(through_drf)
    assert "Allow" in early.headers and "Accept" in early["Vary"]


def test_cache_outage_on_an_early_hit_serves_the_database_without_a_second_try(api_client, catalog, monkeypatch):
    api_client.get(PRODUCTS)
    attempts = []

    def broken(*args, **kwargs):
        attempts.append(args)
        raise ConnectionError("redis down")

    monkeypatch.setattr(catalog_cache.cache, "get", broken)
    response = api_client.get(PRODUCTS)
    assert response.status_code == 200 and response["X-Cache"] == "miss"
    assert response.json()["count"] == 4
    assert len(attempts) == 1


def test_without_local_copies_a_hit_reads_the_body_from_redis(api_client, catalog, redis_commands, settings):
    settings.STORE_CATALOG_LOCAL_CACHE_MB = 0
    catalog_cache.local_copies_clear()
    first = api_client.get(PRODUCTS)
    redis_commands.clear()
    again = api_client.get(PRODUCTS)
    assert again["X-Cache"] == "hit" and again.content == first.content
    assert redis_commands == ["GET", "GET"]


def test_local_copies_stay_within_their_bound():
    kept = catalog_cache._Lru(lambda: 1000, weigh=len)
    for n in range(50):
        kept.put(n, b"x" * 100)
    assert sum(len(kept.get(n) or b"") for n in range(50)) <= 1000
    assert kept.get(49) is not None and kept.get(0) is None  # least recently used leave first
    kept.put("large", b"x" * 200)  # more than an eighth of the bound: never kept
    assert kept.get("large") is None
    kept.get(45)
    for n in range(50, 59):
        kept.put(n, b"x" * 100)
    assert kept.get(45) is not None  # used recently: kept over older entries


def test_only_short_requests_are_remembered(api_client, catalog):
    catalog_cache.local_copies_clear()
    api_client.get(PRODUCTS, {"zzz": "y" * catalog_cache.KNOWN_REQUEST_MAX_CHARS})
    assert len(catalog_cache._known._items) == 0  # answered (a hit or not) the full way, every time
    api_client.get(PRODUCTS, {"zzz": "y"})
    assert len(catalog_cache._known._items) == 1
