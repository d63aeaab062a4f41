"""The product's JSON form, defined once, and the product list page built from it by PostgreSQL.

``PRODUCT_FIELDS`` is the one definition of what a product looks like in the API: for each JSON key, the SQL
expression that computes it in the list statement and the Python function that computes it from a product
row. Every form is generated from it: ``product_data`` (a row from ``selectors.catalog.product_rows_complete``
or a model instance through ``product_row``, used by ``ProductSerializer``), ``DOCUMENT_JSON_SQL`` (the
``json_build_object`` PostgreSQL stores per product) and ``PRODUCT_TEXT_SQL`` (that document with the stock keys, in
the list page). ``store/tests/test_product_json.py`` checks the forms agree.

Why a SQL form at all: an uncached list page through the ORM (``catalog.product_rows`` +
``product_rows_complete``) costs about 10 ms of CPU, most of it in Python: five round trips (category
subtree, count, page, stock, tags), compiling each query, and converting ~1,000 column values into Python
objects only to turn them into JSON again. Here one statement resolves the category subtree by path prefix,
counts the matches, takes the page and joins each product's stored JSON (``store.product_documents``, rendered
from ``PRODUCT_FIELDS`` by PostgreSQL when the product is written) with its stock; Python only wraps it in the
pagination envelope (bench/README.md: the uncached list reaches
the 10 % target with it, about 5 % without). The text is read as text (``::text``), never parsed in Python.
The statement is prepared (``makrx.prepared``), so PostgreSQL plans it once per connection and filter combination
(``_statement_preparation``: a price range per range, a search never).

Scope: the common listing filters (category, brand, tag, price range, stock, ordering) on PostgreSQL.
``product_page_json`` returns ``None`` for everything else (search, collections, SQLite, a page number
the ORM path must judge) and the caller falls back to the ORM path:
``store/tests/test_catalog_fast_path.py`` checks both give the same response.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from operator import itemgetter

from django.conf import settings
from django.db import connection

from makrx.prepared import prepared_cursor
from store import product_tag_listing
from store.models import Tag
from store.partnumbers import normalize_mpn
from store.selectors.catalog import (
    ORDERINGS,
    _id_or_slug,
    count_limit,
    keep,
    kept_read,
    looks_like_id,
    matches_count,
    sort_columns,
)

# ``catalog.ORDERINGS`` as SQL on the product alias ``p`` (columns are not nullable: no NULLS clauses), and the
# type each sort column's cursor value is read back as. Every ordering sorts all its columns one way, so a keyset
# condition is one row comparison that the ordering's index (``models.Product.Meta.indexes``) serves.
SORT_COLUMN_TYPES = {
    "name": "text",
    "price": "numeric",
    "created_at": "timestamptz",
    "rating_count": "integer",
    "sku": "text",
    "id": "bigint",
}
SQL_ORDERINGS = {
    key: ", ".join(f"p.{field.lstrip('-')}{' DESC' if field.startswith('-') else ''}" for field in fields)
    for key, fields in ORDERINGS.items()
}
DEFAULT_ORDERING = "name"
MAX_PAGE_DIGITS = 9  # beyond that the ORM path answers (with its own 404)


# Brand, tag: the ids matching ``catalog._id_or_slug`` (the slug, or the id when the value is all digits).
BRAND_IDS = "(SELECT id FROM store_brand WHERE slug = %s)"
BRAND_IDS_OR_ID = "(SELECT id FROM store_brand WHERE slug = %s OR id = %s)"
# A list's rows (alias ``p``): the products, or one tag's entries of ``store.product_tag_listing`` (the product's id
# and list columns under the product's names: every condition and ordering reads the same on both), where a tag's
# list walks its own index entries, not every product's (page 1 of a tag and a price range read 5,000-8,700).
PRODUCTS, TAG_LISTING = "store_product", product_tag_listing.TABLE
_LISTED_TAG = "p.tag_id = (SELECT t.id FROM store_tag t WHERE t.slug = %s)"  # slugs are unique: one tag or none
_LISTED_TAG_ID = "p.tag_id = %s"
# A search with a tag, or a number naming two tags (a slug, an id): a probe of the (product, tag) index per product.
_TAGGED = "EXISTS (SELECT 1 FROM store_product_tags pt WHERE pt.product_id = p.id AND pt.tag_id = ANY({tag_ids}))"
_TAG_IDS_BY_SLUG = "ARRAY(SELECT t.id FROM store_tag t WHERE t.slug = %s)"
# Category subtree by materialized path prefix; with a numeric value a slug made of digits wins over an id
# (as in ``catalog.category_subtree_ids``). Paths are made of treebeard's alphabet, [0-9A-Z]: no LIKE wildcards
# inside, and all below '~', so the paths that start with the root's also lie from the root's up to the root's
# followed by '~' in byte order: a range the path index (``varchar_pattern_ops``) answers, where a prefix that is not a
# constant (``LIKE x || '%'``) was tested on every category (1,029: 0.2 ms a page). The LIKE stays: it is the
# definition, and with it PostgreSQL takes a subtree for a handful of categories, so it collects the subtree's
# products from the category index and sorts them (bounded by the subtree's size, index entries only) rather than
# walking the ordering's index: a category's products share names ("Chip resistor ..."), so that walk read 15,000
# entries for a page of a 900-product subtree (20 ms).
_SUBTREE = (
    "p.category_id IN (SELECT c.id FROM store_category c, ({root}) root"
    " WHERE c.path ~>=~ root.path AND c.path ~<~ (root.path || '~') AND c.path LIKE root.path || '%%')"
)
SUBTREE = _SUBTREE.format(root="SELECT r.path FROM store_category r WHERE r.slug = %s LIMIT 1")
SUBTREE_OR_ID = _SUBTREE.format(
    root="SELECT r.path FROM store_category r WHERE r.slug = %s OR r.id = %s ORDER BY (r.slug = %s) DESC LIMIT 1"
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
    _timestamp("created_at"),
    _timestamp("updated_at"),
    # Last: the stored document (``store.product_documents``) holds every key above; these two change with every
    # order and are appended to it per request from the stock row ``s``.
    ProductField("stock_available", "GREATEST(COALESCE(s.on_hand - s.reserved, 0), 0)", _available),
    ProductField("in_stock", "COALESCE(s.on_hand > s.reserved, false)", lambda row: _available(row) > 0),
)
PRODUCT_KEYS = tuple(field.key for field in PRODUCT_FIELDS)
_VALUES = tuple((field.key, field.value) for field in PRODUCT_FIELDS)

STOCK_KEYS = ("stock_available", "in_stock")
DOCUMENT_FIELDS = tuple(field for field in PRODUCT_FIELDS if field.key not in STOCK_KEYS)
# The stored document (``store.product_documents`` renders it with this): every key but the stock ones.
# ``json_build_object`` takes at most 100 arguments: 50 keys, far more than a product has. No field's SQL holds a
# ``%`` (psycopg would read it as a placeholder).
DOCUMENT_JSON_SQL = "json_build_object({})".format(
    ", ".join(f"'{field.key}', {field.sql}" for field in DOCUMENT_FIELDS)
)
# A product's JSON text in the list and detail statements: its stored document (``store.product_documents``; one
# rendered on the spot if one is missing) with the stock keys appended. The document is stored open (without its
# closing brace), so appending needs no ``left(document, -1)``: that counts every character of every document (UTF-8)
# and cost a list page about 0.2 ms of PostgreSQL's time (pgbench, 50 documents). ``page`` is the page row, ``d`` its
# document, ``s`` its stock.
PRODUCT_TEXT_SQL = (
    "COALESCE(d.document, (SELECT store_product_document(x) FROM store_product x WHERE x.id = page.id))"  # noqa: S608
    + "".join(f" || ', \"{field.key}\" : ' || ({field.sql})::text" for field in PRODUCT_FIELDS[len(DOCUMENT_FIELDS) :])
    + " || '}'"
)

# The product's own columns in a row (``catalog.PRODUCT_ROW_FIELDS`` adds the brand's and category's).
PRODUCT_COLUMNS = (
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
        **{name: getattr(product, name) for name in PRODUCT_COLUMNS},
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


# A page row: the id and every ordering's sort columns (the next cursor's key); the document is read for the page's
# own rows only, at the end. A column ordering's page carries its own sort columns only (``_page_columns``).
PAGE_COLUMNS = "p.id, p.sku, p.name, p.price, p.created_at, p.rating_count"
# The list page. ``{product}`` (``PRODUCT_TEXT_SQL``), ``{source}`` (the page's rows in order, one more than the
# page), ``{count}`` and ``{key}`` (the sort key as text, for the next cursor) are filled from the constants of this
# module only. Every value a client sends is a parameter; the page's sizes (LIMIT, OFFSET, positions: integers this
# module computes) are written into the text, because a parameter there makes PostgreSQL plan the prepared statement
# for a tenth of all rows: its generic plan then looked dearer than a custom one and was never used, so every
# request was planned again (0.8-1.1 ms of PostgreSQL's time, about a third of a plain page's). The count is capped
# (``catalog.matches_count``): it reads at most the count limit + 1 rows whatever the catalog's size, and is left out
# when the exact one is kept.
PAGE_SQL = """
WITH {ctes}page AS MATERIALIZED (
    SELECT numbered.*, row_number() OVER () AS pos FROM ({source}) numbered
)
SELECT
    {count},
    '[' || COALESCE((
        SELECT string_agg({product}, ', ' ORDER BY page.pos)
        FROM page
        LEFT JOIN store_product_document d ON d.product_id = page.id
        LEFT JOIN store_stocklevel s ON s.product_id = page.id
        WHERE page.pos <= {size}
    ), '') || ']',
    (SELECT json_build_array({key})::text FROM page p WHERE p.pos = {size} AND EXISTS (SELECT 1 FROM page WHERE pos > {size}))
"""
# A column ordering: the page (after the cursor's row, if any) straight from the ordering's index, with its own columns,
# which that index holds: an index-only scan when the filters test only the columns it carries (deep offsets too).
ORDERED_SOURCE = "SELECT {columns} FROM {relation} p WHERE {where} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
# A sparse list (the kept count says how sparse): its matches collected by whatever index suits the filters and
# sorted, rather than a walk of the ordering's index that would read ``(offset + page) x all / matches`` entries to
# find them. Above WALK_LIMIT entries collecting is the cheaper bet: a tag and a brand by price (144 of 98,000
# products) walked 35,000 price-index entries and probed 690 products' tags (10-12 ms); collected, it reads the
# brand's 2,000 products (6 ms). Below it PostgreSQL's plan decides, as for any list: a walk that tests its filters
# on the index entries costs about a tenth of a table row per entry (a brand and a price range by name, 205 matches,
# walks 24,000 entries in 2.3 ms; collected, 3.5 ms). A price range in price order is never sparse: the walk starts
# at the range. The limit is a measured bet, not a bound (``_is_sparse``).
WALK_LIMIT = 30_000
COLLECTED_CTE = "collected AS MATERIALIZED (SELECT {columns} FROM {relation} p WHERE {where}), "
COLLECTED_SOURCE = "SELECT * FROM collected p WHERE true{after} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
ACTIVE = "p.active"  # every list's first condition (``_where``)
ALL_COUNT = f"count:{ACTIVE}|{[]!r}"  # the name the unfiltered list's count is kept under (``catalog.matches_count``)
# When the count is not kept: the capped count's rows (at most the count limit + 1 matches, found by whatever index
# suits the filters) are kept in ``capped``, and when they are all the matches (fewer than the cap) the page is sorted
# from them; only a longer list walks the ordering's index. A walk finds a rare filter's few matches only at the end
# of the index: a brand whose products are all inactive read all 98,000 entries of the price index for an empty page
# (60 ms). Each branch is behind a one-time filter, so only one of them runs.
CAPPED_CTE = "capped AS MATERIALIZED (SELECT p.id FROM {relation} p WHERE {where} LIMIT {cap}), "
CAPPED_COUNT = "(SELECT count(*) FROM capped)"
SMALL_OR_WALK_SOURCE = """
    (SELECT {columns} FROM capped k JOIN store_product p ON p.id = k.id
     WHERE (SELECT count(*) FROM capped) < {cap}{after} ORDER BY {order} LIMIT {limit} OFFSET {offset})
    UNION ALL
    (SELECT * FROM ({walk}) walk WHERE (SELECT count(*) FROM capped) >= {cap})"""
# Relevance: at most STORE_SEARCH_RANK_CANDIDATES matches are ranked (the first ones the indexes yield); when more
# match, the others follow in name order. The second branch runs only when the page reaches past the ranked ones
# (an Append runs its branches in turn, and the LIMIT stops it) and only when the candidates were cut short. That
# order is PostgreSQL's execution, not SQL's promise: it holds because the Append cannot go parallel (its first
# branch scans a CTE, which is parallel-restricted). An outer ORDER BY (tier, relevance, name) says it in SQL but
# reads and sorts every match (measured: 121 ms for `capacitor` against 7 ms); test_catalog_speed.py checks it.
# The candidates carry the page's columns from the row that matched: joined back to the product table by id, a small
# catalog's plan hashed the whole table for 250 candidates (10k products: 12 ms a search against 6 ms at 100k).
RANKED_CANDIDATES = (
    "candidates AS MATERIALIZED (SELECT {columns}, {relevance} AS relevance FROM store_product p WHERE {where}"
    " LIMIT %s), "
)
RANKED_SOURCE = """
    (SELECT {columns} FROM candidates p ORDER BY p.relevance DESC, p.name, p.id)
    UNION ALL
    (SELECT {columns} FROM store_product p
     WHERE (SELECT count(*) FROM candidates) >= %s AND {where} AND p.id NOT IN (SELECT id FROM candidates)
     ORDER BY p.name, p.id)
    LIMIT {limit} OFFSET {offset}"""
CAPPED_COUNT_SQL = "(SELECT count(*) FROM (SELECT 1 FROM store_product p WHERE {where} LIMIT {cap}) capped)"
EXACT_COUNT_SQL = "SELECT count(*) FROM {relation} p WHERE {where}"
# Deep page numbers: the sort keys of matches ANCHOR_STEP, 2 x ANCHOR_STEP, ... (the anchors), kept per catalog
# version like the exact count. Page n starts after the last anchor before its first row, as a keyset page, and skips
# fewer than ANCHOR_STEP rows: page 980 of 50 read 49,000 index entries (an offset) for 50 rows (9 ms of PostgreSQL's
# time); it reads at most ANCHOR_STEP + 51 now, whatever the depth. Anchors are found as deep as a page asks, from
# the deepest one kept: each is a keyset seek then a skip of ANCHOR_STEP - 1 entries, so finding them reads what the
# offset read, once per catalog version and list, and only as deep as shoppers go.
ANCHOR_STEP = 1000
ANCHORS_SQL = """
WITH RECURSIVE anchor AS (
    (SELECT 1 AS n, {columns} FROM {relation} p WHERE {where}{start} ORDER BY {order} OFFSET {skip} LIMIT 1)
    UNION ALL
    (SELECT anchor.n + 1, following.* FROM anchor CROSS JOIN LATERAL (
        SELECT {columns} FROM {relation} p WHERE {where} AND {after_previous} ORDER BY {order} OFFSET {skip} LIMIT 1
    ) following WHERE anchor.n < {wanted})
)
SELECT COALESCE(json_agg(json_build_array({key}) ORDER BY anchor.n), '[]')::text FROM anchor
"""


def _like_prefix(value: str) -> str:
    """``value%`` for LIKE with its wildcards escaped, as Django's ``startswith`` writes it."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search(text: str) -> tuple[str, list, str, list]:
    """``catalog._apply_search``'s match (full text, or a part-number or SKU prefix) and relevance, as SQL."""
    part_number, upper = normalize_mpn(text), text.strip().upper()
    match, match_params = ["p.search_vector @@ websearch_to_tsquery('english', %s)"], [text]
    if len(part_number) >= 3:
        match.append("p.mpn_normalized LIKE %s")
        match_params.append(_like_prefix(part_number))
    if len(upper) >= 3:
        match.append("upper(p.sku::text) LIKE %s")
        match_params.append(_like_prefix(upper))
    hits, hit_params = [], []
    if part_number:
        hits.append("p.mpn_normalized LIKE %s")
        hit_params.append(_like_prefix(part_number))
    if upper:
        hits.append("upper(p.sku::text) LIKE %s")
        hit_params.append(_like_prefix(upper))
    relevance = "ts_rank(p.search_vector, websearch_to_tsquery('english', %s))"
    if hits:
        relevance += f" + CASE WHEN {' OR '.join(hits)} THEN 1.0 ELSE 0.0 END"
    return f"({' OR '.join(match)})", match_params, relevance, [text, *hit_params]


def _price_literal(value: Decimal) -> str:
    """A validated price bound as SQL text (``'12.50'::numeric``): a finite decimal written out in plain digits, so
    nothing but digits, a point and a sign can reach the statement."""
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError("A price bound must be a finite decimal.")
    return f"'{value:f}'::numeric"


def _tag_ids(value: str) -> list[int]:
    """The tags a numeric tag filter names (by slug, and by id, as the ORM path reads it): one is read from the
    listing."""
    return list(Tag.objects.filter(_id_or_slug(value)).order_by("id").values_list("id", flat=True))


def _where(filters, ordering: str | None) -> tuple[str, str, list]:
    """What ``catalog.product_list`` reads for the filters this path handles, for a list in ``ordering`` (``None``:
    ranked): the relation its rows come from (``PRODUCTS`` or ``TAG_LISTING``), the WHERE clause and its
    parameters."""
    relation, conditions, params = PRODUCTS, [ACTIVE], []
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
    # Price bounds are written into the statement (``_price_literal``), not bound: see ``_statement_preparation``.
    # Before the tag: the cheaper test, and PostgreSQL evaluates equally costed conditions in the order written.
    if filters.min_price is not None:
        conditions.append(f"p.price >= {_price_literal(filters.min_price)}")
    if filters.max_price is not None:
        conditions.append(f"p.price <= {_price_literal(filters.max_price)}")
    if filters.tag:
        value = filters.tag.strip()
        ids = _tag_ids(value) if looks_like_id(value) else None
        if ordering is None or (ids is not None and len(ids) > 1):
            if ids is None:
                conditions.append(_TAGGED.format(tag_ids=_TAG_IDS_BY_SLUG))
                params.append(value)
            else:
                conditions.append(_TAGGED.format(tag_ids="%s"))
                params.append(ids)
        else:
            relation = TAG_LISTING
            if ids is None:
                conditions.append(_LISTED_TAG)
                params.append(value)
            else:
                conditions.append(_LISTED_TAG_ID)
                params.append(ids[0] if ids else 0)  # no such tag: no tag has id 0
    if filters.in_stock is not None:
        conditions.append(AVAILABLE if filters.in_stock else "NOT " + AVAILABLE)
    if filters.search:
        match, match_params, _, _ = _search(filters.search)
        conditions.append(match)
        params += match_params
    return relation, " AND ".join(conditions), params


@dataclass(frozen=True)
class ProductPageJson:
    count: int
    page_number: int
    results_json: str  # a JSON array, ready to embed
    next_key: list[str] | None = None  # the last row's sort key when a row follows it (keyset pages)


def list_ordering(filters) -> str | None:
    """The column ordering a list uses (``ORDERINGS`` key), or ``None`` when it is ranked (search) or curated
    (collection): those have no keyset."""
    if filters.ordering in ORDERINGS:
        return filters.ordering
    return None if filters.search or filters.collection else DEFAULT_ORDERING


def _keyset_operator(ordering: str) -> str:
    """The row comparison that means "after" in ``ordering``: every ordering sorts all its columns one way."""
    return "<" if ORDERINGS[ordering][0].startswith("-") else ">"


def keyset_condition(ordering: str, key: list[str]) -> tuple[str, list]:
    """``(sort columns) > (the cursor's values)`` (``<`` for a descending ordering), typed from the cursor's text."""
    names = sort_columns(ordering)
    columns = ", ".join(f"p.{name}" for name in names)
    values = ", ".join(f"%s::{SORT_COLUMN_TYPES[name]}" for name in names)
    return f"({columns}) {_keyset_operator(ordering)} ({values})", list(key)


def _page_columns(ordering: str) -> str:
    """The id and the sort columns of a column ordering: what its page rows carry (the next cursor's key)."""
    names = sort_columns(ordering)
    return ", ".join(f"p.{name}" for name in ["id", *(name for name in names if name != "id")])


def _key_sql(ordering: str | None) -> str:
    names = sort_columns(ordering) if ordering else ["id"]
    return ", ".join(f"p.{name}::text" for name in names)


def _statement_preparation(filters) -> bool | None:
    """How a list's statement is prepared (``makrx.prepared.PreparingCursor``), by what its best plan depends on.

    A prepared statement is planned without its parameters' values after five runs (PostgreSQL's generic plan),
    and used so whenever that plan looks no dearer than planning again. Slugs, cursors and the page's sizes do not
    change the best plan, so those lists are prepared at once and not planned again. A price bound does: planned
    without its value, a price range is taken to hold 0.5 % of the rows whatever its bounds (``?max_price=5``, 66
    products, walked the whole name index: 40 ms; a wide range the other way round). Bounds are therefore written
    into the statement (``_price_literal``): each range is its own statement, planned with its width, and prepared
    once the connection has run it a few times (a shop's price filters repeat: category pages, preset ranges;
    psycopg keeps the last 100 statements of a connection). A search's best plan depends on its words, which stay
    parameters: never prepared, planned with its values every time (as every list was before)."""
    if filters.search:
        return False
    if filters.min_price is not None or filters.max_price is not None:
        return None
    return True


def _is_sparse(filters, ordering: str | None, *, known_count: int | None, all_count: int | None, rows: int) -> bool:
    """Whether walking the ordering's index for ``rows`` rows of a list of ``known_count`` matches out of
    ``all_count`` active products would read more than WALK_LIMIT entries (both counts kept; else not known)."""
    if not known_count or not all_count or ordering is None:
        return False
    if ordering in ("price", "-price") and (filters.min_price is not None or filters.max_price is not None):
        return False  # the walk starts at the range's end
    return rows * all_count / known_count > WALK_LIMIT


def _anchors_after(
    *, ordering: str, relation: str, where: str, where_params: list, start: list[str] | None, wanted: int
) -> list:
    """The next ``wanted`` anchors of the list in ``ordering`` after the anchor ``start`` (from its beginning when
    None), fewer when the list ends first: one statement, each anchor a keyset seek from the previous one."""
    names = sort_columns(ordering)
    start_sql, start_params = "", []
    if start is not None:
        condition, start_params = keyset_condition(ordering, start)
        start_sql = f" AND {condition}"
    previous = ", ".join(f"anchor.k{i}" for i in range(len(names)))
    columns = ", ".join(f"p.{name} AS k{i}" for i, name in enumerate(names))
    after_previous = f"({', '.join(f'p.{name}' for name in names)}) {_keyset_operator(ordering)} ({previous})"
    sql = ANCHORS_SQL.format(
        columns=columns, relation=relation, where=where, start=start_sql, order=SQL_ORDERINGS[ordering],
        skip=ANCHOR_STEP - 1, after_previous=after_previous, wanted=wanted,
        key=", ".join(f"anchor.k{i}::text" for i in range(len(names))),
    )  # fmt: skip
    with prepared_cursor(prepare=False) as cursor:  # run once per catalog version: not worth a plan kept
        cursor.execute(sql, [*where_params, *start_params, *where_params])
        return json.loads(cursor.fetchone()[0])


def _deep_page_start(*, ordering: str, relation: str, where: str, where_params: list, version, anchors, offset: int):
    """``(anchor, offset left)`` for a page starting ``offset`` rows into the list: the last anchor at or before that
    row (``anchors`` as kept for catalog ``version``, found and kept as deep as needed) and the rows to skip after it.
    The offset left is None when the list ends before the page. No anchor (None, the offset unchanged) when kept
    values are off or the cache is down (no ``version``): finding anchors on every request would cost more than the
    offset."""
    if version is None:
        return None, offset
    passed = offset // ANCHOR_STEP
    anchors = anchors or []
    if len(anchors) < passed:
        anchors = anchors + _anchors_after(
            ordering=ordering, relation=relation, where=where, where_params=where_params, start=anchors[-1] if anchors else None,
            wanted=passed - len(anchors),
        )  # fmt: skip
        keep(_anchor_name(ordering, where, where_params), anchors, version=version)
    if len(anchors) < passed:
        return None, None  # the list ends before this page
    return anchors[passed - 1], offset - passed * ANCHOR_STEP


def _anchor_name(ordering: str, where: str, where_params: list) -> str:
    return f"anchors:{ordering}:{where}|{where_params!r}"


def product_page_json(*, filters, page: str | int, page_size: int, after: list[str] | None = None, keyset=False):
    """One page of ``catalog.product_list(filters=filters)`` as JSON text, or ``None`` when this path does not
    handle the request (the caller then uses the ORM path): not PostgreSQL, a collection filter, a page number
    that is not a plain positive integer, a page past the end (the ORM path answers 404), or a search that
    matches nothing (the ORM path tries trigram similarity).

    ``keyset``: the page after the row whose sort key is ``after`` (the first page when ``None``) instead of a
    page number; ``next_key`` then tells where the next one starts. A deep page number is answered the same way,
    from the last anchor before it (``ANCHOR_STEP``).
    """
    if connection.vendor != "postgresql" or filters.collection:
        return None
    page_number = 1
    page_size = int(page_size)  # written into the statement, like every size and offset below
    if not keyset:
        page_text = str(page)
        if not page_text.isascii() or not page_text.isdigit() or len(page_text) > MAX_PAGE_DIGITS:
            return None
        page_number = int(page_text)
        if page_number < 1:
            return None
    ordering = list_ordering(filters)
    relation, where, where_params = _where(filters, ordering)
    statement = f"{where}|{where_params!r}"
    offset = (page_number - 1) * page_size
    cap = count_limit() + 1
    # What is kept for this list in one cache round trip: its count, the whole catalog's, a deep page's anchors.
    deep = ordering is not None and offset >= ANCHOR_STEP
    names = [f"count:{statement}", ALL_COUNT, *([_anchor_name(ordering, where, where_params)] if deep else [])]
    version, (known_count, all_count, *anchors) = kept_read(*names)
    if deep:  # a deep page number: from the anchor before it
        after, offset = _deep_page_start(
            ordering=ordering, relation=relation, where=where, where_params=where_params, version=version, anchors=anchors[0],
            offset=offset,
        )  # fmt: skip
        if offset is None:
            return None  # past the last page: the ORM path raises the paginator's 404
    sparse = _is_sparse(filters, ordering, known_count=known_count, all_count=all_count, rows=offset + page_size + 1)
    ctes, cte_params = "", []
    count_sql, count_params = "NULL", []
    if ordering is None:  # ranked search
        _, _, relevance, relevance_params = _search(filters.search)
        limit = settings.STORE_SEARCH_RANK_CANDIDATES
        ctes = RANKED_CANDIDATES.format(columns=PAGE_COLUMNS, relevance=relevance, where=where)
        cte_params = [*relevance_params, *where_params, limit]
        source = RANKED_SOURCE.format(columns=PAGE_COLUMNS, where=where, limit=page_size + 1, offset=offset)
        source_params = [limit, *where_params]
        if known_count is None:
            count_sql, count_params = CAPPED_COUNT_SQL.format(where=where, cap=cap), where_params
    else:
        order = SQL_ORDERINGS[ordering]
        after_sql, after_params = "", []
        if after is not None:
            condition, after_params = keyset_condition(ordering, after)
            after_sql = f" AND {condition}"
        columns = _page_columns(ordering)
        source = ORDERED_SOURCE.format(
            columns=columns, relation=relation, where=where + after_sql, order=order, limit=page_size + 1,
            offset=offset,
        )  # fmt: skip
        source_params = [*where_params, *after_params]
        if sparse:
            ctes, cte_params = COLLECTED_CTE.format(columns=columns, relation=relation, where=where), where_params
            source = COLLECTED_SOURCE.format(after=after_sql, order=order, limit=page_size + 1, offset=offset)
            source_params = after_params
        elif known_count is None:
            ctes, cte_params = CAPPED_CTE.format(relation=relation, where=where, cap=cap), where_params
            source = SMALL_OR_WALK_SOURCE.format(
                columns=columns, cap=cap, after=after_sql, order=order, limit=page_size + 1, offset=offset,
                walk=source,
            )  # fmt: skip
            source_params = [*after_params, *source_params]
            count_sql = CAPPED_COUNT
    sql = PAGE_SQL.format(
        ctes=ctes, source=source, count=count_sql, product=PRODUCT_TEXT_SQL, key=_key_sql(ordering), size=page_size
    )
    params = [*cte_params, *source_params, *count_params]
    with prepared_cursor(prepare=_statement_preparation(filters)) as cursor:
        cursor.execute(sql, params)
        capped, results_json, key_json = cursor.fetchone()
        if filters.search and known_count is None and capped == 0:
            return None  # nothing matched exactly: the ORM path's trigram fallback answers

        def exact() -> int:
            cursor.execute(EXACT_COUNT_SQL.format(relation=relation, where=where), where_params)
            return cursor.fetchone()[0]

        if known_count is not None:
            count = known_count
        else:
            count = matches_count(capped=capped, statement=statement, exact=exact)
    if not keyset and page_number > 1 and (page_number - 1) * page_size >= count:
        return None  # past the last page: the ORM path raises the paginator's 404
    next_key = json.loads(key_json) if keyset and key_json else None
    return ProductPageJson(count=count, page_number=page_number, results_json=results_json, next_key=next_key)


# One active product by slug, else by SKU (case-insensitive): ``catalog.product_get`` as one statement.
DETAIL_SOURCE = (
    "SELECT {columns} FROM store_product p WHERE p.active AND (p.slug = %s OR upper(p.sku::text) = upper(%s))"
    " ORDER BY (p.slug = %s) DESC, p.name, p.id LIMIT 2"
)


def product_detail_json(*, lookup: str) -> str | None:
    """``catalog.product_get(lookup=...)`` as the product's JSON text, built by PostgreSQL from ``PRODUCT_FIELDS``
    in one prepared statement (the ORM path takes three queries and model instances); ``""`` when no active
    product matches, ``None`` when this path does not apply (not PostgreSQL)."""
    if connection.vendor != "postgresql":
        return None
    sql = PAGE_SQL.format(
        ctes="", source=DETAIL_SOURCE.format(columns=PAGE_COLUMNS), count="NULL", product=PRODUCT_TEXT_SQL,
        key="p.id::text", size=1,
    )  # fmt: skip
    params = [lookup, lookup, lookup]
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        _, results_json, _ = cursor.fetchone()
    return results_json[1:-1].strip()  # the one object of the array (json_agg: "[...]"), or "" for none
