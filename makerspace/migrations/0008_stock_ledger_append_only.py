"""PostgreSQL refuses UPDATE and DELETE of stock movements: the ledger is append-only at the database too.

SQLite (``make run``) has no such trigger; the model's save()/delete() and the services refuse it there.
TRUNCATE (the test suite's flush) is not a row DELETE and is unaffected.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION makerspace_stock_movement_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stock movements are append-only (record a reversing movement)'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS stock_movement_append_only ON makerspace_stockmovement;
CREATE TRIGGER stock_movement_append_only BEFORE UPDATE OR DELETE ON makerspace_stockmovement
    FOR EACH ROW EXECUTE FUNCTION makerspace_stock_movement_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS stock_movement_append_only ON makerspace_stockmovement;
DROP FUNCTION IF EXISTS makerspace_stock_movement_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("makerspace", "0007_inventory_items_and_ledger")]

    operations = [migrations.RunPython(forwards, backwards)]
