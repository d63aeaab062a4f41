"""The product list page as JSON built by PostgreSQL: one statement instead of the ORM's five.

Why: an uncached list page through the ORM (``catalog.product_rows`` + ``product_rows_complete``) costs
about 10 ms of CPU, most of it in Python: five round trips (category subtree, count, page, stock, tags),
compiling each query, and converting ~1,000 column values into Python objects only to turn them into JSON
again. Here one statement resolves the category subtree by path prefix, counts the matches, takes the page
with its brand, category, stock and tags, and has PostgreSQL build the page's JSON
(``json_build_object``/``json_agg``) in exactly ``serializers.product_row_data``'s shape; Python only wraps
it in the pagination envelope. The text is read as text (``::text``), so it is never parsed in Python.
The statement is prepared (server-side binding, psycopg's per-connection statement cache), so PostgreSQL
plans it once per connection and filter combination; behind a transaction-mode PgBouncer older than 1.21
that would need ``max_prepared_statements`` (the project connects directly or through psycopg's pool).

Scope: the common listing filters (category, brand, tag, price range, stock, ordering) on PostgreSQL.
``product_page_json`` returns ``None`` for everything else (search, collections, SQLite, a page number
the ORM path must judge) and the caller falls back to the ORM path, which stays the reference:
``store/tests/test_catalog_fast_path.py`` checks both give the same response.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from django.db import connection

from store.selectors.catalog import looks_like_id

# ``catalog.ORDERINGS`` as SQL on the product alias ``p`` (columns are not nullable: no NULLS clauses).
SQL_ORDERINGS = {
    "name": "p.name, p.id",
    "-name": "p.name DESC, p.id DESC",
    "price": "p.price, p.id",
    "-price": "p.price DESC, p.id DESC",
    "created_at": "p.created_at, p.id",
    "-created_at": "p.created_at DESC, p.id DESC",
    "sku": "p.sku",
    "-sku": "p.sku DESC",
}
DEFAULT_ORDERING = "name"
MAX_PAGE_DIGITS = 9  # beyond that the ORM path answers (with its own 404)
PREPARE_THRESHOLD = 5  # psycopg's default; our cursor asks for preparation on the first run anyway


# Brand, tag: the ids matching ``catalog._id_or_slug`` (the slug, or the id when the value is all digits).
BRAND_IDS = "(SELECT id FROM store_brand WHERE slug = %s)"
BRAND_IDS_OR_ID = "(SELECT id FROM store_brand WHERE slug = %s OR id = %s)"
TAGGED = (
    "p.id IN (SELECT pt.product_id FROM store_product_tags pt JOIN store_tag t ON t.id = pt.tag_id WHERE t.slug = %s)"
)
TAGGED_OR_ID = (
    "p.id IN (SELECT pt.product_id FROM store_product_tags pt JOIN store_tag t ON t.id = pt.tag_id"
    " WHERE t.slug = %s OR pt.tag_id = %s)"
)
# Category subtree by materialized path prefix; with a numeric value a slug made of digits wins over an id
# (as in ``catalog.category_subtree_ids``). Paths are [0-9A-Z] only: no LIKE wildcards inside.
SUBTREE = (
    "p.category_id IN (SELECT c.id FROM store_category c WHERE c.path LIKE"
    " (SELECT r.path FROM store_category r WHERE r.slug = %s LIMIT 1) || '%%')"
)
SUBTREE_OR_ID = (
    "p.category_id IN (SELECT c.id FROM store_category c WHERE c.path LIKE"
    " (SELECT r.path FROM store_category r WHERE r.slug = %s OR r.id = %s ORDER BY (r.slug = %s) DESC LIMIT 1)"
    " || '%%')"
)
AVAILABLE = "EXISTS (SELECT 1 FROM store_stocklevel s WHERE s.product_id = p.id AND s.on_hand > s.reserved)"

# The page in ``serializers.product_row_data``'s shape: money as text with two decimals, datetimes as
# ``serializers._iso`` writes them (UTC, ``Z``, microseconds only when not zero), tags by name, stock
# available never below 0. ``{where}`` and ``{order}`` are filled from the constants above only (the WHERE
# clause appears twice, for the page and the count); every value is a parameter.
PAGE_SQL = """
WITH page AS (
    SELECT p.id, p.sku, p.slug, p.name, p.mpn, p.mpn_normalized, p.manufacturer, p.brand_id, p.category_id,
           p.description, p.price, p.compare_at_price, p.currency, p.attributes, p.images, p.datasheet_url,
           p.active, p.created_at, p.updated_at
    FROM store_product p WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s
), page_tags AS (
    SELECT pt.product_id,
           json_agg(json_build_object('id', tg.id, 'name', tg.name, 'slug', tg.slug) ORDER BY tg.name, tg.id) AS tags
    FROM store_product_tags pt JOIN store_tag tg ON tg.id = pt.tag_id
    WHERE pt.product_id IN (SELECT id FROM page)
    GROUP BY pt.product_id
)
SELECT
    (SELECT count(*) FROM store_product p WHERE {where}),
    COALESCE((
        SELECT json_agg(json_build_object(
            'id', p.id, 'sku', p.sku, 'slug', p.slug, 'name', p.name, 'mpn', p.mpn,
            'mpn_normalized', p.mpn_normalized, 'manufacturer', p.manufacturer,
            'brand', CASE WHEN b.id IS NULL THEN NULL
                          ELSE json_build_object('id', b.id, 'name', b.name, 'slug', b.slug) END,
            'category', CASE WHEN c.id IS NULL THEN NULL
                             ELSE json_build_object('id', c.id, 'name', c.name, 'slug', c.slug) END,
            'tags', COALESCE(page_tags.tags, '[]'::json),
            'description', p.description,
            'price', p.price::text,
            'compare_at_price', p.compare_at_price::text,
            'currency', p.currency,
            'attributes', p.attributes,
            'images', p.images,
            'datasheet_url', p.datasheet_url,
            'active', p.active,
            'stock_available', GREATEST(COALESCE(s.on_hand - s.reserved, 0), 0),
            'in_stock', COALESCE(s.on_hand > s.reserved, false),
            'created_at', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
            || CASE WHEN date_trunc('second', p.created_at) = p.created_at THEN '' ELSE to_char(p.created_at AT TIME ZONE 'UTC', '.US') END
            || 'Z',
            'updated_at', to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
            || CASE WHEN date_trunc('second', p.updated_at) = p.updated_at THEN '' ELSE to_char(p.updated_at AT TIME ZONE 'UTC', '.US') END
            || 'Z'
        ) ORDER BY {order})
        FROM page p
        LEFT JOIN page_tags ON page_tags.product_id = p.id
        LEFT JOIN store_brand b ON b.id = p.brand_id
        LEFT JOIN store_category c ON c.id = p.category_id
        LEFT JOIN store_stocklevel s ON s.product_id = p.id
    ), '[]'::json)::text
"""


def _where(filters) -> tuple[str, list]:
    """The WHERE clause of ``catalog.product_list`` for the filters this path handles, and its parameters."""
    conditions, params = ["p.active"], []
    if filters.category:
        value = filters.category.strip()
        if looks_like_id(value):
            conditions.append(SUBTREE_OR_ID)
            params += [value, int(value), value]
        else:
            conditions.append(SUBTREE)
            params.append(value)
    if filters.brand:
        value = filters.brand.strip()
        if looks_like_id(value):
            conditions.append("p.brand_id IN " + BRAND_IDS_OR_ID)
            params += [value, int(value)]
        else:
            conditions.append("p.brand_id IN " + BRAND_IDS)
            params.append(value)
    if filters.tag:
        value = filters.tag.strip()
        if looks_like_id(value):
            conditions.append(TAGGED_OR_ID)
            params += [value, int(value)]
        else:
            conditions.append(TAGGED)
            params.append(value)
    if filters.min_price is not None:
        conditions.append("p.price >= %s")
        params.append(filters.min_price)
    if filters.max_price is not None:
        conditions.append("p.price <= %s")
        params.append(filters.max_price)
    if filters.in_stock is not None:
        conditions.append(AVAILABLE if filters.in_stock else "NOT " + AVAILABLE)
    return " AND ".join(conditions), params


class _PreparingCursor(psycopg.Cursor):
    """Server-side parameter binding, and every statement prepared: PostgreSQL plans the page statement once
    per connection (per filter combination) instead of on every request, which was about a quarter of its time."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def _prepared_cursor():
    """A Django cursor (query logging, ``execute_wrappers`` and query counts behave as usual) over a preparing
    psycopg cursor; Django's own cursors bind parameters on the client, which cannot be prepared."""
    connection.close_if_health_check_failed()  # as ``connection.cursor()`` does (CONN_HEALTH_CHECKS)
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        # Django turns psycopg's statement preparation off (None) for the connection; Django's own cursors
        # bind on the client and are never prepared whatever this says, so enabling it touches only ours.
        connection.connection.prepare_threshold = PREPARE_THRESHOLD
    raw = _PreparingCursor(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


@dataclass(frozen=True)
class ProductPageJson:
    count: int
    page_number: int
    results_json: str  # a JSON array, ready to embed


def product_page_json(*, filters, page: str | int, page_size: int) -> ProductPageJson | None:
    """One page of ``catalog.product_list(filters=filters)`` as JSON text, or ``None`` when this path does not
    handle the request (the caller then uses the ORM path): not PostgreSQL, search or collection filters, a page
    number that is not a plain positive integer, or a page past the end (the ORM path answers 404)."""
    if connection.vendor != "postgresql" or filters.search or filters.collection:
        return None
    page_text = str(page)
    if not page_text.isascii() or not page_text.isdigit() or len(page_text) > MAX_PAGE_DIGITS:
        return None
    page_number = int(page_text)
    if page_number < 1:
        return None
    order = SQL_ORDERINGS.get(filters.ordering or DEFAULT_ORDERING, SQL_ORDERINGS[DEFAULT_ORDERING])
    where, where_params = _where(filters)
    # The WHERE clause appears twice (page, count): its parameters too, in statement order.
    params = [*where_params, page_size, (page_number - 1) * page_size, *where_params]
    with _prepared_cursor() as cursor:
        cursor.execute(PAGE_SQL.format(where=where, order=order), params)
        count, results_json = cursor.fetchone()
    if page_number > 1 and (page_number - 1) * page_size >= count:
        return None  # past the last page: the ORM path raises the paginator's 404
    return ProductPageJson(count=count, page_number=page_number, results_json=results_json)
