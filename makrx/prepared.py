"""Prepared statements on Django's PostgreSQL connection, for the few hot statements written in SQL (the store's list
and detail pages, the bridge's intake).

Django's own cursors bind parameters on the client, so PostgreSQL parses and plans every statement they send; Django
also turns psycopg's statement preparation off for its connections (``prepare_threshold`` None). A statement sent
through ``prepared_cursor`` is bound on the server and prepared as its caller says, so PostgreSQL plans it once per
connection (psycopg keeps the last 100 statements of a connection). Behind a transaction-mode PgBouncer older than
1.21 that would need ``max_prepared_statements`` (the project connects directly or through psycopg's pool).
"""

from __future__ import annotations

import psycopg
from django.db import connection

PREPARE_THRESHOLD = 5  # psycopg's default; ``prepare=True`` prepares on the first run anyway


class PreparingCursor(psycopg.Cursor):
    """Server-side parameter binding, and statements prepared as ``prepare`` says (psycopg's ``execute(prepare=)``:
    True at once, None once the connection ran it ``PREPARE_THRESHOLD`` times, False never)."""

    prepare: bool | None = True

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=self.prepare, binary=binary)


def prepared_cursor(db=None, *, prepare: bool | None = True, health_check: bool = True):
    """A Django cursor on ``db`` (the default connection when None) over a ``PreparingCursor``: query logging,
    ``execute_wrappers`` and query counts behave as for Django's own cursors.

    ``health_check``: Django's CONN_HEALTH_CHECKS (a ``SELECT 1`` on a reused connection, once per request), as
    ``connection.cursor()`` does. A caller whose statement is safe to fail on a dropped connection (the sender
    retries, as the bridge's intake) may skip it: the failed request closes the connection, the retry gets a new one.
    """
    db = db if db is not None else connection
    if health_check:
        db.close_if_health_check_failed()
    db.ensure_connection()
    if db.connection.prepare_threshold is None:
        # Django's own cursors bind on the client and are never prepared whatever this says: only ours are touched.
        db.connection.prepare_threshold = PREPARE_THRESHOLD
    raw = PreparingCursor(db.connection)
    raw.prepare = prepare
    return db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)
