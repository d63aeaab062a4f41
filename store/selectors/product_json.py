"""The product's JSON form, defined once, and the product list page built from it by PostgreSQL.

``PRODUCT_FIELDS`` is the one definition of what a product looks like in the API: for each JSON key, the SQL
expression that computes it in the list statement and the Python function that computes it from a product
row. Every form is generated from it: ``product_data`` (a row from ``selectors.catalog.product_rows_complete``
or a model instance through ``product_row``, used by ``ProductSerializer``) and ``PRODUCT_JSON_SQL`` (the
``json_build_object`` of the list page). ``store/tests/test_product_json.py`` checks the three agree.

Why a SQL form at all: an uncached list page through the ORM (``catalog.product_rows`` +
``product_rows_complete``) costs about 10 ms of CPU, most of it in Python: five round trips (category
subtree, count, page, stock, tags), compiling each query, and converting ~1,000 column values into Python
objects only to turn them into JSON again. Here one statement resolves the category subtree by path prefix,
counts the matches, takes the page with its brand, category, stock and tags, and has PostgreSQL build the
page's JSON; Python only wraps it in the pagination envelope (bench/README.md: the uncached list reaches
the 10 % target with it, about 5 % without). The text is read as text (``::text``), never parsed in Python.
The statement is prepared (server-side binding, psycopg's per-connection statement cache), so PostgreSQL
plans it once per connection and filter combination; behind a transaction-mode PgBouncer older than 1.21
that would need ``max_prepared_statements`` (the project connects directly or through psycopg's pool).

Scope: the common listing filters (category, brand, tag, price range, stock, ordering) on PostgreSQL.
``product_page_json`` returns ``None`` for everything else (search, collections, SQLite, a page number
the ORM path must judge) and the caller falls back to the ORM path:
``store/tests/test_catalog_fast_path.py`` checks both give the same response.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from operator import itemgetter

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


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _iso(value: datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _iso_sql(column: str) -> str:
    """``_iso`` in SQL: UTC, ``Z``, microseconds only when not zero."""
    return (
        f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')"""
        f" || CASE WHEN date_trunc('second', {column}) = {column} THEN ''"
        f" ELSE to_char({column} AT TIME ZONE 'UTC', '.US') END || 'Z'"
    )


def _available(row: dict) -> int:
    return max(row["on_hand"] - row["reserved"], 0)


@dataclass(frozen=True)
class ProductField:
    """One key of the product's JSON: its SQL expression (over the list statement's aliases ``p`` product,
    ``b`` brand, ``c`` category, ``s`` stock level, ``page_tags``) and its value from a product row."""

    key: str
    sql: str
    value: Callable[[dict], object]


def _column(name: str) -> ProductField:
    return ProductField(name, f"p.{name}", itemgetter(name))


def _money_column(name: str) -> ProductField:
    return ProductField(name, f"p.{name}::text", lambda row: _money(row[name]))  # numeric(12,2): two decimals


def _timestamp(name: str) -> ProductField:
    return ProductField(name, _iso_sql(f"p.{name}"), lambda row: _iso(row[name]))


def _reference(name: str, alias: str) -> ProductField:
    """A brand or category as ``{id, name, slug}``, or null."""

    def value(row: dict) -> dict | None:
        if not row[f"{name}_id"]:
            return None
        return {"id": row[f"{name}_id"], "name": row[f"{name}__name"], "slug": row[f"{name}__slug"]}

    sql = (
        f"CASE WHEN {alias}.id IS NULL THEN NULL"
        f" ELSE json_build_object('id', {alias}.id, 'name', {alias}.name, 'slug', {alias}.slug) END"
    )
    return ProductField(name, sql, value)


PRODUCT_FIELDS: tuple[ProductField, ...] = (
    _column("id"),
    _column("sku"),
    _column("slug"),
    _column("name"),
    _column("mpn"),
    _column("mpn_normalized"),
    _column("manufacturer"),
    _reference("brand", "b"),
    _reference("category", "c"),
    # Tags by name then id: ``page_tags`` below and ``catalog.product_rows_complete`` sort them alike.
    ProductField("tags", "COALESCE(page_tags.tags, '[]'::json)", itemgetter("tags")),
    _column("description"),
    _money_column("price"),
    _money_column("compare_at_price"),
    _column("currency"),
    _column("attributes"),
    _column("images"),
    _column("datasheet_url"),
    _column("active"),
    # Published reviews only, kept on the product row (``services.reviews``): no query per product.
    ProductField("rating_average", "p.rating_average::text", lambda row: _money(row["rating_average"])),
    _column("rating_count"),
    ProductField("stock_available", "GREATEST(COALESCE(s.on_hand - s.reserved, 0), 0)", _available),
    ProductField("in_stock", "COALESCE(s.on_hand > s.reserved, false)", lambda row: _available(row) > 0),
    _timestamp("created_at"),
    _timestamp("updated_at"),
)
PRODUCT_KEYS = tuple(field.key for field in PRODUCT_FIELDS)
_VALUES = tuple((field.key, field.value) for field in PRODUCT_FIELDS)

# ``json_build_object`` takes at most 100 arguments: 50 keys, far more than a product has. No field's SQL holds a
# ``%`` (psycopg would read it as a placeholder).
PRODUCT_JSON_SQL = "json_build_object({})".format(", ".join(f"'{field.key}', {field.sql}" for field in PRODUCT_FIELDS))

# The product's own columns in a row (``catalog.PRODUCT_ROW_FIELDS`` adds the brand's and category's).
_PRODUCT_COLUMNS = (
    "id", "sku", "slug", "name", "mpn", "mpn_normalized", "manufacturer", "description", "price",
    "compare_at_price", "currency", "attributes", "images", "datasheet_url", "active", "rating_average",
    "rating_count", "created_at", "updated_at",
)  # fmt: skip


def product_data(row: dict) -> dict:
    """A product row (``catalog.product_rows_complete``, or ``product_row``) as the API's product JSON."""
    return {key: value(row) for key, value in _VALUES}


def product_row(product) -> dict:
    """A ``Product`` instance (brand, category, stock and tags loaded) as the row ``product_data`` reads."""
    brand, category = product.brand, product.category
    stock = getattr(product, "stock", None)
    return {
        **{name: getattr(product, name) for name in _PRODUCT_COLUMNS},
        "brand_id": brand.id if brand else None,
        "brand__name": brand.name if brand else None,
        "brand__slug": brand.slug if brand else None,
        "category_id": category.id if category else None,
        "category__name": category.name if category else None,
        "category__slug": category.slug if category else None,
        "tags": [{"id": tag.id, "name": tag.name, "slug": tag.slug} for tag in product.tags.all()],
        "on_hand": stock.on_hand if stock else 0,
        "reserved": stock.reserved if stock else 0,
    }


# The list page: ``{product}`` (``PRODUCT_JSON_SQL``), ``{where}`` and ``{order}`` are filled from the constants
# above only (the WHERE clause
# appears twice, for the page and the count); every value is a parameter.
PAGE_SQL = """
WITH page AS (
    SELECT p.id, p.sku, p.slug, p.name, p.mpn, p.mpn_normalized, p.manufacturer, p.brand_id, p.category_id,
           p.description, p.price, p.compare_at_price, p.currency, p.attributes, p.images, p.datasheet_url,
           p.active, p.rating_average, p.rating_count, p.created_at, p.updated_at
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
        SELECT json_agg({product} ORDER BY {order})
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
        cursor.execute(PAGE_SQL.format(product=PRODUCT_JSON_SQL, where=where, order=order), params)
        count, results_json = cursor.fetchone()
    if page_number > 1 and (page_number - 1) * page_size >= count:
        return None  # past the last page: the ORM path raises the paginator's 404
    return ProductPageJson(count=count, page_number=page_number, results_json=results_json)
