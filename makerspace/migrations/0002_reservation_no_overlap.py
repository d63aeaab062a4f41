"""No two active reservations of one machine overlap: a PostgreSQL exclusion constraint (btree_gist).

Runs only on PostgreSQL; on SQLite (``make run``) it is a no-op and the reservation service's own
check is the guard. Kept out of Meta.constraints so that makemigrations stays clean on both.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE makerspace_reservation
    ADD CONSTRAINT reservation_no_overlap
    EXCLUDE USING gist (
        equipment_id WITH =,
        tstzrange(starts_at, ends_at, '[)') WITH &&
    ) WHERE (status IN ('pending', 'confirmed', 'checked_in'))
    """,
]
BACKWARD = ["ALTER TABLE makerspace_reservation DROP CONSTRAINT IF EXISTS reservation_no_overlap"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("makerspace", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
