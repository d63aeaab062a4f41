"""`manage.py seed`: idempotent sample data from every app.

Each installed app may ship a ``seed.py`` module with ``run(*, options, stdout)`` and,
optionally, ``add_arguments(parser)`` for its own flags. Apps run in INSTALLED_APPS order
(makrx, makerspace, store), each in its own transaction; running it twice changes
nothing the second time.
"""

from __future__ import annotations

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


def _seed_modules():
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.seed")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.seed":
                raise
            continue
        yield config.label, module


class Command(BaseCommand):
    help = "Add sample data from every app (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", default=[], help="Seed only these app labels.")
        for _label, module in _seed_modules():
            if hasattr(module, "add_arguments"):
                module.add_arguments(parser)

    def handle(self, *args, **options):
        for label, module in _seed_modules():
            if options["only"] and label not in options["only"]:
                continue
            with transaction.atomic():
                module.run(options=options, stdout=self.stdout)
            self.stdout.write(self.style.SUCCESS(f"seeded {label}"))
