"""Each tag's products with their list columns, kept by triggers (PostgreSQL only), so a tag's list walks only its
tag's entries.

Why: a tag filter on the product table walked the ordering's index and tested the tag on every entry it read (a
probe of the product-tag table, or the tag ids the name index carried after migration 0017). A tag holds about
6.7 % of the seeded catalog, so page 1 of ``?tag=...&min_price=10&max_price=500`` read 5,000-8,700 name-index
entries to find 51 (1.0-1.4 ms of PostgreSQL's time; issue #17, the slowest list of the benchmark). Here a tag's
products lie together in each ordering's index, ``(tag_id, <ordering's columns>) ... WHERE active``: that page
reads its tag's entries in the price range only (0.18 ms for page 1 of the slowest tag against 1.30 ms,
``pgbench -M prepared -c 1`` on the 100k bench database).

What: ``store_product_tag_listing`` holds one row per (tag, product) with the product's id as ``id`` and the
columns the list statements filter and sort on (``active``, ``name``, ``price``, ``created_at``, ``rating_count``,
``sku``, ``brand_id``, ``category_id``), named as on the product, so ``selectors.product_json`` runs the same
conditions and orderings on it (alias ``p``) as on the product table; the page's JSON still comes from the stored
documents. Its indexes mirror the product's ordering indexes with the tag in front and carry the filtered columns,
so a tag's page is an index-only walk of its own entries. Like the stored documents and the search indexes, these are
PostgreSQL objects Django's models do not declare: the ORM path filters through the many-to-many table as before, and
``store/tests/test_catalog_parity.py`` compares both with the plain query.

Kept in the writing transaction by triggers, for the reason the documents are (every write must reach it: services,
the admin, ``tags.add/remove/set/clear``, bulk updates, data migrations):

- ``store_product_tags`` AFTER INSERT / DELETE / UPDATE, per statement (transition tables): rows added or removed;
  AFTER TRUNCATE: the listing emptied.
- ``store_product`` AFTER UPDATE of a listed column, per row, only when one of them changed: the product's rows
  updated; AFTER DELETE per row and AFTER TRUNCATE: its rows gone (no foreign keys: they would make Django's own
  ``TRUNCATE`` of the product table in test flushes fail, as for the documents).

A product keeps its rows while inactive (``active`` is a column; the indexes are partial), so deactivating one is
an update, not a delete. Cost: a product's tag change or a listed-column change writes one row per tag of that
product (the seed gives two to four).
"""

from __future__ import annotations

TABLE = "store_product_tag_listing"
# The product columns the listing carries, besides its ``id``: what the list statements filter and sort on.
LISTED_COLUMNS = ("active", "name", "price", "created_at", "rating_count", "sku", "brand_id", "category_id")
_COLUMNS = ", ".join(LISTED_COLUMNS)
_CHANGED = " OR ".join(f"OLD.{name} IS DISTINCT FROM NEW.{name}" for name in LISTED_COLUMNS)
_FROM_NEW = ", ".join(f"{name} = NEW.{name}" for name in LISTED_COLUMNS)
_FROM_PRODUCT = ", ".join(f"p.{name}" for name in LISTED_COLUMNS)

# List the (tag, product) pairs of ``{pairs}`` (the many-to-many table, or a trigger's transition table).
_ADD = f"""
    INSERT INTO {TABLE} (tag_id, id, {_COLUMNS})
    SELECT pt.tag_id, p.id, {_FROM_PRODUCT}
    FROM {{pairs}} pt JOIN store_product p ON p.id = pt.product_id
    ON CONFLICT (tag_id, id) DO NOTHING"""  # noqa: S608 - built from this module's constants only
# Unlist the pairs of ``{pairs}`` that the many-to-many table no longer holds (an UPDATE of it may remove and add the
# same pair).
_REMOVE = f"""
    DELETE FROM {TABLE} l USING {{pairs}} pt
    WHERE l.tag_id = pt.tag_id AND l.id = pt.product_id
        AND NOT EXISTS (SELECT 1 FROM store_product_tags kept WHERE kept.tag_id = pt.tag_id
                        AND kept.product_id = pt.product_id)"""  # noqa: S608 - built from this module's constants only
_INSTALL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    tag_id bigint NOT NULL,
    id bigint NOT NULL,
    active boolean NOT NULL,
    name varchar(255) NOT NULL,
    price numeric(12, 2) NOT NULL,
    created_at timestamptz NOT NULL,
    rating_count integer NOT NULL,
    sku varchar(64) NOT NULL,
    brand_id bigint,
    category_id bigint,
    PRIMARY KEY (tag_id, id)
);
-- A product's rows, for the product triggers.
CREATE INDEX IF NOT EXISTS {TABLE}_product_idx ON {TABLE} (id);
-- The product's ordering indexes (``models.Product.Meta.indexes``), each with the tag in front.
CREATE INDEX IF NOT EXISTS {TABLE}_name_idx ON {TABLE} (tag_id, name, id)
    INCLUDE (price, brand_id, category_id) WHERE active;
CREATE INDEX IF NOT EXISTS {TABLE}_price_idx ON {TABLE} (tag_id, price, id)
    INCLUDE (brand_id, category_id) WHERE active;
CREATE INDEX IF NOT EXISTS {TABLE}_new_idx ON {TABLE} (tag_id, created_at, id)
    INCLUDE (price, brand_id, category_id) WHERE active;
CREATE INDEX IF NOT EXISTS {TABLE}_popular_idx ON {TABLE} (tag_id, rating_count, id)
    INCLUDE (price, brand_id, category_id) WHERE active;
CREATE INDEX IF NOT EXISTS {TABLE}_sku_idx ON {TABLE} (tag_id, sku)
    INCLUDE (price, brand_id, category_id) WHERE active;

CREATE OR REPLACE FUNCTION {TABLE}_tags_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE {TABLE};
    ELSIF TG_OP = 'INSERT' THEN
        {_ADD.format(pairs="new_rows")};
    ELSIF TG_OP = 'DELETE' THEN
        {_REMOVE.format(pairs="old_rows")};
    ELSE
        {_REMOVE.format(pairs="old_rows")};
        {_ADD.format(pairs="new_rows")};
    END IF;
    RETURN NULL;
END $fn$;

CREATE OR REPLACE FUNCTION {TABLE}_product_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE {TABLE};
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM {TABLE} WHERE id = OLD.id;
    ELSE
        UPDATE {TABLE} SET {_FROM_NEW} WHERE id = NEW.id;
    END IF;
    RETURN NULL;
END $fn$;

DROP TRIGGER IF EXISTS {TABLE}_tags_added ON store_product_tags;
CREATE TRIGGER {TABLE}_tags_added AFTER INSERT ON store_product_tags
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_tags_changed();
DROP TRIGGER IF EXISTS {TABLE}_tags_removed ON store_product_tags;
CREATE TRIGGER {TABLE}_tags_removed AFTER DELETE ON store_product_tags
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_tags_changed();
DROP TRIGGER IF EXISTS {TABLE}_tags_updated ON store_product_tags;
CREATE TRIGGER {TABLE}_tags_updated AFTER UPDATE ON store_product_tags
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_tags_changed();
DROP TRIGGER IF EXISTS {TABLE}_tags_cleared ON store_product_tags;
CREATE TRIGGER {TABLE}_tags_cleared AFTER TRUNCATE ON store_product_tags
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_tags_changed();

DROP TRIGGER IF EXISTS {TABLE}_product_updated ON store_product;
CREATE TRIGGER {TABLE}_product_updated AFTER UPDATE OF {_COLUMNS} ON store_product
    FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION {TABLE}_product_changed();
DROP TRIGGER IF EXISTS {TABLE}_product_deleted ON store_product;
CREATE TRIGGER {TABLE}_product_deleted AFTER DELETE ON store_product
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_product_changed();
DROP TRIGGER IF EXISTS {TABLE}_products_cleared ON store_product;
CREATE TRIGGER {TABLE}_products_cleared AFTER TRUNCATE ON store_product
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_product_changed();

-- Every current pair (the many-to-many table is the truth; idempotent).
{_ADD.format(pairs="store_product_tags")};
"""  # noqa: S608 - built from this module's constants only
_TRIGGERS = (
    (f"{TABLE}_tags_added", "store_product_tags"),
    (f"{TABLE}_tags_removed", "store_product_tags"),
    (f"{TABLE}_tags_updated", "store_product_tags"),
    (f"{TABLE}_tags_cleared", "store_product_tags"),
    (f"{TABLE}_product_updated", "store_product"),
    (f"{TABLE}_product_deleted", "store_product"),
    (f"{TABLE}_products_cleared", "store_product"),
)


def install(connection) -> None:
    """Create the table, its indexes, functions and triggers, and list every tagged product; idempotent. Nothing off
    PostgreSQL."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_INSTALL)


def uninstall(connection) -> None:
    """Drop the triggers, the functions and the table (the migration's reverse)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name, table in _TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        cursor.execute(f"DROP FUNCTION IF EXISTS {TABLE}_tags_changed()")
        cursor.execute(f"DROP FUNCTION IF EXISTS {TABLE}_product_changed()")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
