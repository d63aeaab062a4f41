"""Each product's tag ids on its row, and the name ordering's index carrying them (PostgreSQL; issue #17).

Why: a tag filter probed the product-tag table for every product a list's walk reached; with the ids on the row and
in the name index (``(name, id) INCLUDE (price, brand_id, category_id, tag_ids) WHERE active``, replacing
``store_product_live_name_idx``), the walk tests them on the entry it reads. ``?tag=...&min_price=10&max_price=500``
on 100,000 products walks ~5,700 name-index entries, 570 of them in the price range, each of those probed: the
statement went from 2.7-3.8 ms (1,718 of its 2,417 buffers were the probes) to 1.7 ms (EXPLAIN ANALYZE). The column and its triggers are
written here (the migration keeps them: migration 0018 replaced them with ``store.product_tag_listing``); they are not declared on the model (an array column does not exist on SQLite), like the
search indexes of migration 0002.

Cost: adding or removing a product's tags rewrites the product's row (and its index entries) in the same transaction;
the name index grows by the ids (about 30 bytes an entry). Off PostgreSQL only the old name index is dropped.
After running this on a large catalog, ``VACUUM ANALYZE store_product`` (every row was rewritten once).
"""

from django.db import migrations

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

def install_tag_ids(apps, schema_editor):
    install(schema_editor.connection)


def uninstall_tag_ids(apps, schema_editor):
    uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('store', '0016_product_live_category_index'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='product',
            name='store_product_live_name_idx',
        ),
        migrations.RunPython(install_tag_ids, uninstall_tag_ids),
    ]
