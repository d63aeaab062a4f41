"""Each product's API JSON stored beside it (PostgreSQL only), kept current by triggers in the writing transaction.

Why: a list page is 50 products' JSON. Building it per request (``json_build_object`` over the product, its
brand, category and tags, timestamps formatted) was two thirds of PostgreSQL's time for an uncached page, and
PostgreSQL was most of the machine's (docs/store.md, "Speed at 100,000 products"). The stored document is the
same JSON, rendered from the same definition (``selectors.product_json.PRODUCT_FIELDS``) without the stock
keys, which change with every order and are appended per request from the stock row
(``product_json.PRODUCT_TEXT_SQL``). It is stored open, without its closing brace, so that appending is a plain
concatenation (cutting the brace per request counted every character of 50 documents).

Where: its own table, ``store_product_document (product_id, document)``, not a column of ``store_product``: a
document is about a kilobyte, and in the product table it doubled the pages that every plan reading product
rows in bulk (a search's candidates, a brand's products) has to read. The table and the triggers are
PostgreSQL objects Django's models do not declare (like the search indexes of migration 0002): the ORM never
reads or writes a document, only the list and detail statements do. Deleting or truncating products removes
their documents (by trigger: a foreign key would make Django's own ``TRUNCATE`` of the product table fail).

Why triggers and not the services: the document reads four tables, and every write to them (a service, the
admin, a bulk ``update()``, a data migration, a brand renamed) must reach it in the same transaction, or a page
would show a stale price or name.

- ``store_product`` AFTER INSERT OR UPDATE, per row: its document rendered from ``NEW``; AFTER DELETE and
  AFTER TRUNCATE: gone with it.
- ``store_product_tags`` AFTER INSERT and AFTER DELETE, per statement (transition tables): its products'
  documents rendered again.
- ``store_brand``, ``store_category``, ``store_tag`` AFTER UPDATE of a name or slug, per row: their products'
  documents rendered again.

``install`` is idempotent. Migration 0015 runs it, and so does every ``migrate`` (``post_migrate``): when the
functions and triggers in the database differ from the ones this code writes (a fingerprint kept as the
rendering function's comment), they are replaced and every document rendered again, so a change to the
product's JSON needs no hand-written migration.
"""

from __future__ import annotations

import hashlib

from store.selectors.product_json import DOCUMENT_JSON_SQL, PRODUCT_COLUMNS

RENDER_FUNCTION = "store_product_document"
# Renaming one of these re-renders its products' documents (``_RELATED_TRIGGER``).
_RELATED_TRIGGERS = (
    ("store_product_document_brand", "store_brand"),
    ("store_product_document_category", "store_category"),
    ("store_product_document_tag", "store_tag"),
)
_TRIGGERS = (
    ("store_product_document_render", "store_product"),
    ("store_product_document_forget", "store_product"),
    ("store_product_document_forget_all", "store_product"),
    ("store_product_document_tags_added", "store_product_tags"),
    ("store_product_document_tags_removed", "store_product_tags"),
    *_RELATED_TRIGGERS,
)
_TRIGGER_FUNCTIONS = (
    "store_product_document_render_row",
    "store_product_document_forget",
    "store_product_document_touch_tagged",
    "store_product_document_touch_related",
)


def render_function_body() -> str:
    """The body of ``store_product_document(p store_product)``: the product's JSON text without stock and without
    its closing brace (the list appends the stock keys, then the brace: ``PRODUCT_TEXT_SQL``), built with the
    aliases ``PRODUCT_FIELDS`` use (``p`` the product, ``b`` brand, ``c`` category, ``page_tags``)."""
    return (
        f"SELECT left({DOCUMENT_JSON_SQL}::text, -1)"  # noqa: S608 - constants of this code only
        " FROM (SELECT 1) AS one"
        " LEFT JOIN store_brand b ON b.id = p.brand_id"
        " LEFT JOIN store_category c ON c.id = p.category_id"
        " LEFT JOIN LATERAL (SELECT json_agg(json_build_object('id', tg.id, 'name', tg.name, 'slug', tg.slug)"
        " ORDER BY tg.name, tg.id) AS tags"
        " FROM store_product_tags pt JOIN store_tag tg ON tg.id = pt.tag_id WHERE pt.product_id = p.id) page_tags"
        " ON true"
    )


# The product columns a document reads: an update of others (``search_vector``, refreshed after every save) leaves
# the document alone.
DOCUMENT_COLUMNS = ", ".join([*PRODUCT_COLUMNS, "brand_id", "category_id"])
_INSTALL = """
CREATE TABLE IF NOT EXISTS store_product_document (product_id bigint PRIMARY KEY, document text NOT NULL);

CREATE OR REPLACE FUNCTION store_product_document_refresh(ids bigint[]) RETURNS void LANGUAGE sql AS $fn$
    INSERT INTO store_product_document (product_id, document)
    SELECT p.id, store_product_document(p) FROM store_product p WHERE p.id = ANY(ids)
    ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document
$fn$;

CREATE OR REPLACE FUNCTION store_product_document_render_row() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO store_product_document (product_id, document) VALUES (NEW.id, store_product_document(NEW))
    ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document;
    RETURN NULL;
END $fn$;

CREATE OR REPLACE FUNCTION store_product_document_forget() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE store_product_document;
    ELSE
        DELETE FROM store_product_document WHERE product_id = OLD.id;
    END IF;
    RETURN NULL;
END $fn$;

CREATE OR REPLACE FUNCTION store_product_document_touch_tagged() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM store_product_document_refresh(ARRAY(SELECT DISTINCT product_id FROM changed_rows));
    RETURN NULL;
END $fn$;

CREATE OR REPLACE FUNCTION store_product_document_touch_related() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_TABLE_NAME = 'store_brand' THEN
        PERFORM store_product_document_refresh(ARRAY(SELECT id FROM store_product WHERE brand_id = NEW.id));
    ELSIF TG_TABLE_NAME = 'store_category' THEN
        PERFORM store_product_document_refresh(ARRAY(SELECT id FROM store_product WHERE category_id = NEW.id));
    ELSE
        PERFORM store_product_document_refresh(
            ARRAY(SELECT product_id FROM store_product_tags WHERE tag_id = NEW.id)
        );
    END IF;
    RETURN NULL;
END $fn$;

DROP TRIGGER IF EXISTS store_product_document_render ON store_product;
CREATE TRIGGER store_product_document_render AFTER INSERT OR UPDATE OF {document_columns} ON store_product
    FOR EACH ROW EXECUTE FUNCTION store_product_document_render_row();

DROP TRIGGER IF EXISTS store_product_document_forget ON store_product;
CREATE TRIGGER store_product_document_forget AFTER DELETE ON store_product
    FOR EACH ROW EXECUTE FUNCTION store_product_document_forget();

DROP TRIGGER IF EXISTS store_product_document_forget_all ON store_product;
CREATE TRIGGER store_product_document_forget_all AFTER TRUNCATE ON store_product
    FOR EACH STATEMENT EXECUTE FUNCTION store_product_document_forget();

DROP TRIGGER IF EXISTS store_product_document_tags_added ON store_product_tags;
CREATE TRIGGER store_product_document_tags_added AFTER INSERT ON store_product_tags
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION store_product_document_touch_tagged();

DROP TRIGGER IF EXISTS store_product_document_tags_removed ON store_product_tags;
CREATE TRIGGER store_product_document_tags_removed AFTER DELETE ON store_product_tags
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION store_product_document_touch_tagged();
"""
_RELATED_TRIGGER = """
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name} AFTER UPDATE OF name, slug ON {table} FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.slug IS DISTINCT FROM NEW.slug)
    EXECUTE FUNCTION store_product_document_touch_related();
"""


def _install_sql() -> str:
    return _INSTALL.replace("{document_columns}", DOCUMENT_COLUMNS)


def _fingerprint() -> str:
    """Identifies this code's functions and triggers: kept as the rendering function's comment, so ``install`` can
    tell whether the database holds them as they are written here."""
    source = "\n".join([render_function_body(), _install_sql(), _RELATED_TRIGGER, repr(_TRIGGERS)])
    return "makrx:" + hashlib.sha256(source.encode()).hexdigest()[:16]


def _installed_fingerprint(cursor) -> str | None:
    cursor.execute("SELECT obj_description(oid, 'pg_proc') FROM pg_proc WHERE proname = %s", [RENDER_FUNCTION])
    row = cursor.fetchone()
    return row[0] if row else None


def _triggers_present(cursor) -> bool:
    cursor.execute(
        "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)", [[name for name, _ in _TRIGGERS]]
    )
    return cursor.fetchone()[0] == len(_TRIGGERS)


def install(connection) -> bool:
    """Add the table, the functions and the triggers (idempotent: nothing is redone when they are current), then
    render every document that is missing, or every one when the functions changed (their fingerprint differs from
    this code's). True when it (re)installed the functions and triggers; False when they were current, or off
    PostgreSQL."""
    if connection.vendor != "postgresql":
        return False
    fingerprint = _fingerprint()
    with connection.cursor() as cursor:
        changed = _installed_fingerprint(cursor) != fingerprint
        reinstall = changed or not _triggers_present(cursor)
        if reinstall:
            # ``p`` is the product row (a trigger's NEW, or read); STABLE: it reads other tables.
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {RENDER_FUNCTION}(p store_product) RETURNS text"
                f" LANGUAGE sql STABLE AS $fn$ {render_function_body()} $fn$"
            )
            cursor.execute(f"COMMENT ON FUNCTION {RENDER_FUNCTION}(store_product) IS '{fingerprint}'")
            cursor.execute(_install_sql())
            for name, table in _RELATED_TRIGGERS:
                cursor.execute(_RELATED_TRIGGER.format(name=name, table=table))
        cursor.execute(
            "SELECT store_product_document_refresh(ARRAY(SELECT p.id FROM store_product p WHERE %s OR NOT EXISTS"
            " (SELECT 1 FROM store_product_document d WHERE d.product_id = p.id)))",
            [changed],
        )
    return reinstall


def uninstall(connection) -> None:
    """Drop the triggers, the functions and the table (the migration's reverse)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name, table in _TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for function in _TRIGGER_FUNCTIONS:
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}()")
        cursor.execute("DROP FUNCTION IF EXISTS store_product_document_refresh(bigint[])")
        cursor.execute(f"DROP FUNCTION IF EXISTS {RENDER_FUNCTION}(store_product)")
        cursor.execute("DROP TABLE IF EXISTS store_product_document")


MIGRATION = ("store", "0015_product_document")


def install_after_migrate(sender, using="default", **kwargs) -> None:
    """``post_migrate`` (and a test database's flush): keep the database's rendering function equal to this
    code's, once the store is migrated to 0015 or later (a test may have migrated it back)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if connection.vendor == "postgresql" and MIGRATION in MigrationRecorder(connection).applied_migrations():
        install(connection)
