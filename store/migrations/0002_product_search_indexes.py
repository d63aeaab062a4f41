"""PostgreSQL-only search support: pg_trgm, a GIN index on the search vector and trigram GIN indexes.

These are not declared on the model (Django would try to build them on SQLite too), so the migration
state is unchanged and ``makemigrations --check`` stays clean; on SQLite this migration does nothing.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS store_product_search_gin ON store_product USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS store_product_sku_trgm ON store_product USING gin (upper(sku) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS store_product_mpn_trgm ON store_product USING gin (mpn_normalized gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS store_product_name_trgm ON store_product USING gin (upper(name) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS store_product_name_trgm",
    "DROP INDEX IF EXISTS store_product_mpn_trgm",
    "DROP INDEX IF EXISTS store_product_sku_trgm",
    "DROP INDEX IF EXISTS store_product_search_gin",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("store", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
