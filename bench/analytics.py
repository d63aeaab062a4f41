"""Makerspace analytics benchmark: every report over one year of activity in one makerspace.

Not a test. Needs a migrated PostgreSQL database (it creates its own makerspace, named ``bench-analytics-*``, with
``--reservations`` reservations, ``--sessions`` usage sessions, ``--jobs`` service jobs and ``--movements`` inventory
ledger rows over ``--items`` items over the year, written with bulk_create, and removes them at the end unless --keep):

    createdb -h 127.0.0.1 -U postgres makrx_analytics_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/makrx_analytics_bench CELERY_TASK_ALWAYS_EAGER=true
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/analytics.py --reservations 100000 --sessions 50000 --jobs 50000 --runs 7
    .venv/bin/python bench/analytics.py --reports inventory --movements 200000 --items 2000   # one report only

Measures the median wall time of ``analytics_report_run`` (the service the API calls: access check, period
validation, the SQL) for each report and bucket over the whole year, in-process, with the production code path.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "makrx.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from makerspace.models import (  # noqa: E402
    Equipment,
    InventoryItem,
    Makerspace,
    Member,
    MemberEvent,
    OpeningHours,
    Reservation,
    ServiceJob,
    StockMovement,
    UsageSession,
)
from makerspace.selectors.analytics import REPORTS  # noqa: E402
from makerspace.services.analytics import analytics_report_run  # noqa: E402
from makrx.auth.scoping import SYSTEM  # noqa: E402
from makrx.models import User  # noqa: E402

YEAR_START = date(2025, 1, 1)
YEAR_END = date(2025, 12, 31)
STATUSES = ["confirmed", "completed", "completed", "completed", "cancelled", "no_show", "checked_in"]


def intervals(rng, count: int, machines: int, start: datetime, end: datetime):
    """``count`` non-overlapping intervals spread over ``machines`` machines between ``start`` and ``end``."""
    per_machine = count // machines
    slot = (end - start) / per_machine
    for machine in range(machines):
        for index in range(per_machine):
            begins = start + slot * index + timedelta(minutes=15 * rng.randint(0, 4))
            length = min(timedelta(minutes=15 * rng.randint(2, 12)), slot - timedelta(minutes=61))
            yield machine, begins, begins + length


def service_jobs(rng, space, count: int, start: datetime):
    """Jobs received over the year: 80 % made (most shipped), 10 % rejected, 10 % still open."""
    for index in range(count):
        received = start + timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        fields = {"status": "received"}
        fate = rng.random()
        if fate < 0.8:
            completed = received + timedelta(minutes=rng.randint(30, 9 * 24 * 60))
            fields = {"status": "completed", "completed_at": completed}
            if fate < 0.6:
                fields.update(status="shipped", shipped_at=completed + timedelta(hours=rng.randint(1, 72)))
        elif fate < 0.9:
            fields = {"status": "rejected", "rejected_at": received + timedelta(hours=1)}
        yield ServiceJob(
            makerspace=space, external_order_id=f"{space.slug}-{index}", title="bench", received_at=received, **fields
        )


LEDGER_KINDS = ["usage", "usage", "usage", "job", "project", "damage", "adjustment", "stocktake", "restock"]


def ledger(rng, space, items: int, movements: int, start: datetime):
    """``movements`` ledger rows over ``items`` items, each item's rows adding up (restocked when it runs low)."""
    rows = InventoryItem.objects.bulk_create(
        [
            InventoryItem(
                makerspace=space, sku=f"B-{i:06d}", name=f"bench {i}", unit_cost=Decimal(rng.randint(1, 50000)) / 100
            )
            for i in range(items)
        ]
    )
    quantities = []
    for item in rows:
        on_hand = 0
        for minute in sorted(rng.randint(0, 365 * 24 * 60) for _ in range(movements // items)):
            kind = "restock" if on_hand < 50 else rng.choice(LEDGER_KINDS)
            delta = rng.randint(50, 200) if kind == "restock" else -rng.randint(1, min(on_hand, 40))
            if kind == "adjustment" and rng.random() < 0.5:
                delta = -delta
            yield StockMovement(
                item=item,
                makerspace=space,
                kind=kind,
                quantity=delta,
                quantity_before=on_hand,
                quantity_after=on_hand + delta,
                counted_quantity=on_hand + delta if kind == "stocktake" else None,
                created_at=start + timedelta(minutes=minute),
            )
            on_hand += delta
        quantities.append((item.pk, on_hand))
    for pk, on_hand in quantities:
        InventoryItem.objects.filter(pk=pk).update(quantity=on_hand)


def setup(reservations: int, sessions: int, machines: int, members: int, jobs: int = 0, items: int = 0, movements=0):
    rng = random.Random(7)
    tag = f"bench-analytics-{os.getpid()}"
    space = Makerspace.objects.create(name=tag, slug=tag, timezone="Asia/Kolkata")
    OpeningHours.objects.bulk_create(
        [OpeningHours(makerspace=space, weekday=d, opens=dtime(9), closes=dtime(21)) for d in range(7)]
    )
    equipment = Equipment.objects.bulk_create(
        [
            Equipment(
                makerspace=space,
                name=f"{tag} {i}",
                slug=f"{tag}-{i}",
                equipment_type=rng.choice(["3d_printer", "laser_cutter", "cnc"]),
            )
            for i in range(machines)
        ]
    )
    users = User.objects.bulk_create([User(username=f"{tag}-{i}") for i in range(members)])
    start = datetime.combine(YEAR_START, dtime.min, tzinfo=UTC)
    end = datetime.combine(YEAR_END, dtime.max, tzinfo=UTC)
    member_rows = Member.objects.bulk_create(
        [
            Member(
                user=user, makerspace=space, status="active", joined_at=start + timedelta(hours=rng.randint(0, 8700))
            )
            for user in users
        ]
    )
    MemberEvent.objects.bulk_create(
        [
            MemberEvent(
                member=m, from_status="active", to_status="expired", created_at=m.joined_at + timedelta(days=60)
            )
            for m in member_rows[: members // 5]
        ]
    )
    batch = []
    for machine, begins, ends in intervals(rng, reservations, machines, start, end):
        batch.append(
            Reservation(
                equipment=equipment[machine],
                user=users[rng.randrange(members)],
                starts_at=begins,
                ends_at=ends,
                status=rng.choice(STATUSES),
            )
        )
    Reservation.objects.bulk_create(batch, batch_size=5000)
    batch = [
        UsageSession(equipment=equipment[machine], user=users[rng.randrange(members)], started_at=b, ended_at=e)
        for machine, b, e in intervals(rng, sessions, machines, start, end)
    ]
    UsageSession.objects.bulk_create(batch, batch_size=5000)
    ServiceJob.objects.bulk_create(service_jobs(rng, space, jobs, start), batch_size=5000)
    if items and movements:
        StockMovement.objects.bulk_create(ledger(rng, space, items, movements, start), batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return space


def teardown(space) -> None:
    users = list(Member.objects.filter(makerspace=space).values_list("user_id", flat=True))
    UsageSession.objects.filter(equipment__makerspace=space).delete()
    Reservation.objects.filter(equipment__makerspace=space).delete()
    ServiceJob.objects.filter(makerspace=space).delete()
    with connection.cursor() as cursor:
        # The ledger refuses DELETE (append-only trigger); a bench database's owner lifts it for the cleanup only.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM makerspace_stockmovement WHERE makerspace_id = %s", [space.pk])
        cursor.execute("SET session_replication_role = DEFAULT")
    InventoryItem.objects.filter(makerspace=space).delete()
    space.delete()
    User.objects.filter(pk__in=users).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reservations", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=50_000)
    parser.add_argument("--machines", type=int, default=40)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--jobs", type=int, default=50_000)
    parser.add_argument("--items", type=int, default=1_000, help="inventory items")
    parser.add_argument("--movements", type=int, default=100_000, help="inventory ledger rows over the year")
    parser.add_argument("--reports", default=",".join(REPORTS), help="comma-separated reports to time (default all)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only (the reports answer 503 on SQLite).")
    started = time.perf_counter()
    space = setup(args.reservations, args.sessions, args.machines, args.members, args.jobs, args.items, args.movements)
    print(
        f"generated {args.reservations} reservations, {args.sessions} sessions, {args.jobs} jobs, "
        f"{args.movements} ledger rows over {args.items} items in {time.perf_counter() - started:.1f} s"
    )
    try:
        print(f"{'report':<14}{'bucket':<8}{'median ms':>10}{'max ms':>9}")
        for report in args.reports.split(","):
            for bucket in ("day", "week", "month"):
                timings = []
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    analytics_report_run(
                        actor=SYSTEM,
                        report=report,
                        makerspace_id=space.pk,
                        date_from=YEAR_START,
                        date_to=YEAR_END,
                        bucket=bucket,
                    )
                    timings.append((time.perf_counter() - t0) * 1000)
                print(f"{report:<14}{bucket:<8}{statistics.median(timings):>10.1f}{max(timings):>9.1f}")
    finally:
        if not args.keep:
            teardown(space)


if __name__ == "__main__":
    main()
