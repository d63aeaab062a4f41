"""`manage.py dbstatus`: database reachable, migrations applied/pending per app, row counts."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import OperationalError


class Command(BaseCommand):
    help = "Show database reachability, migrations per app and row counts per table."

    def handle(self, *args, **options):
        try:
            connection.ensure_connection()
        except OperationalError as exc:
            raise CommandError(f"database unreachable: {exc}") from exc
        self.stdout.write(f"database: {connection.vendor} {connection.settings_dict.get('NAME')} (reachable)")

        executor = MigrationExecutor(connection)
        graph = executor.loader.graph
        applied = executor.loader.applied_migrations
        by_app: dict[str, list[int]] = {}
        for app_label, name in graph.nodes:
            counts = by_app.setdefault(app_label, [0, 0])
            counts[0 if (app_label, name) in applied else 1] += 1
        self.stdout.write("\nmigrations (applied / pending):")
        pending_total = 0
        for app_label in sorted(by_app):
            done, pending = by_app[app_label]
            pending_total += pending
            flag = "  <- pending" if pending else ""
            self.stdout.write(f"  {app_label:<20} {done:>4} / {pending:<4}{flag}")

        self.stdout.write("\nrows per table:")
        existing = set(connection.introspection.table_names())
        for model in apps.get_models():
            table = model._meta.db_table
            if table not in existing:
                self.stdout.write(f"  {table:<45} (missing)")
                continue
            self.stdout.write(f"  {table:<45} {model._default_manager.count():>10}")
        if pending_total:
            self.stdout.write(self.style.WARNING(f"\n{pending_total} migration(s) pending: run manage.py migrate"))
