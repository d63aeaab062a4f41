"""PostgreSQL-only: the trigram GIN index BOM fuzzy matching searches (``store.services.bom_mapping``).

``upper(name || ' ' || description)`` is the exact expression the mapping query's ``word_similarity``/``<%``
uses, so the index serves it. Not declared on the model (SQLite cannot build it): on SQLite this migration does
nothing and the mapping falls back to a bounded scan scored with rapidfuzz.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS store_product_bom_text_trgm ON store_product "
    "USING gin ((upper(name || ' ' || description)) gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS store_product_bom_text_trgm"]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("store", "0006_bom_imports")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
