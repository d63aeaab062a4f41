"""Each product's tag ids on its own row (PostgreSQL only), kept by triggers, so a tag filter is tested inside the
list's index walk.

Why: a tag filter was a probe of the product-tag table for every product the walk of the ordering's index reached
(``EXISTS (... store_product_tags ...)``, three index pages each). ``tag + price range`` walks about 5,700 name-index
entries and probed the 570 in the price range: the probes were as much work as the walk (issue #17, docs/store.md).
``store_product.tag_ids`` holds the product's tag ids, and the name ordering's index carries it
(``store_product_name_tags_idx``, ``(name, id) INCLUDE (price, brand_id, category_id, tag_ids) WHERE active``), so
the walk tests ``tag_ids && {the tag's ids}`` on the entry it already reads.

Where: a column PostgreSQL holds and Django's models do not declare (an array column would not exist on SQLite, which
``make run`` uses), like the search indexes of migration 0002 and the stored documents: Django never reads or writes
it (a new product gets ``{}`` by default before its tags are added). Only the list statements
(``selectors.product_json``) test it; the ORM path filters through the many-to-many table as before, and
``store/tests/test_catalog_parity.py`` compares both with the plain query.

Kept by triggers in the writing transaction, for the reason the documents are (``store.product_documents``): every
write to a product's tags (``tags.add/remove/set/clear``, the admin, the CSV import, a bulk insert of through rows, a
data migration) must reach it. ``store_product_tags`` AFTER INSERT, DELETE and UPDATE, per statement with transition
tables: the products concerned get their tag ids again (only a row whose ids changed is written); AFTER TRUNCATE:
every product's become ``{}``. Writing the column rewrites the product's row and its index entries (a tag change is a
catalog edit: rare); the stored document's trigger does not fire for it (it watches the document's columns).
"""

from __future__ import annotations

INDEX = "store_product_name_tags_idx"
_INSTALL = """
ALTER TABLE store_product ADD COLUMN IF NOT EXISTS tag_ids bigint[] NOT NULL DEFAULT '{}';

CREATE OR REPLACE FUNCTION store_product_tag_ids_refresh(ids bigint[]) RETURNS void LANGUAGE sql AS $fn$
    UPDATE store_product p
    SET tag_ids = ARRAY(SELECT pt.tag_id FROM store_product_tags pt WHERE pt.product_id = p.id ORDER BY pt.tag_id)
    WHERE p.id = ANY(ids) AND p.tag_ids IS DISTINCT FROM
        ARRAY(SELECT pt.tag_id FROM store_product_tags pt WHERE pt.product_id = p.id ORDER BY pt.tag_id)
$fn$;

CREATE OR REPLACE FUNCTION store_product_tag_ids_touch() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE store_product SET tag_ids = '{}' WHERE tag_ids <> '{}';
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM store_product_tag_ids_refresh(ARRAY(SELECT DISTINCT product_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM store_product_tag_ids_refresh(ARRAY(SELECT DISTINCT product_id FROM old_rows));
    ELSE
        PERFORM store_product_tag_ids_refresh(
            ARRAY(SELECT product_id FROM old_rows UNION SELECT product_id FROM new_rows)
        );
    END IF;
    RETURN NULL;
END $fn$;

DROP TRIGGER IF EXISTS store_product_tag_ids_added ON store_product_tags;
CREATE TRIGGER store_product_tag_ids_added AFTER INSERT ON store_product_tags
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION store_product_tag_ids_touch();

DROP TRIGGER IF EXISTS store_product_tag_ids_removed ON store_product_tags;
CREATE TRIGGER store_product_tag_ids_removed AFTER DELETE ON store_product_tags
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION store_product_tag_ids_touch();

DROP TRIGGER IF EXISTS store_product_tag_ids_changed ON store_product_tags;
CREATE TRIGGER store_product_tag_ids_changed AFTER UPDATE ON store_product_tags
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION store_product_tag_ids_touch();

DROP TRIGGER IF EXISTS store_product_tag_ids_cleared ON store_product_tags;
CREATE TRIGGER store_product_tag_ids_cleared AFTER TRUNCATE ON store_product_tags
    FOR EACH STATEMENT EXECUTE FUNCTION store_product_tag_ids_touch();

SELECT store_product_tag_ids_refresh(ARRAY(SELECT DISTINCT product_id FROM store_product_tags));

-- The index the name ordering walks: migration 0017 replaces the model's ``store_product_live_name_idx`` with it.
CREATE INDEX IF NOT EXISTS store_product_name_tags_idx ON store_product (name, id)
    INCLUDE (price, brand_id, category_id, tag_ids) WHERE active;
"""
_TRIGGERS = (
    "store_product_tag_ids_added",
    "store_product_tag_ids_removed",
    "store_product_tag_ids_changed",
    "store_product_tag_ids_cleared",
)


def install(connection) -> None:
    """Add the column (every product's tag ids filled in), the triggers and the name ordering's index; idempotent.
    Nothing off PostgreSQL."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_INSTALL)


def uninstall(connection) -> None:
    """Drop the index, the triggers, the functions and the column (the migration's reverse)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        for name in _TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON store_product_tags")
        cursor.execute("DROP FUNCTION IF EXISTS store_product_tag_ids_touch()")
        cursor.execute("DROP FUNCTION IF EXISTS store_product_tag_ids_refresh(bigint[])")
        cursor.execute("ALTER TABLE store_product DROP COLUMN IF EXISTS tag_ids")
