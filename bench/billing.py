"""Makerspace billing benchmark: the monthly invoice run over many members with many billable records each.

Not a test. Needs a migrated PostgreSQL database; it creates its own makerspace (``bench-billing-*``) with
``--members`` members and ``--records`` billable records each in the previous month (bulk_create), runs the
production monthly run (``invoices_draft_monthly``, the service the Celery task calls), and removes its rows at the
end unless --keep:

    createdb -h 127.0.0.1 -U postgres makrx_billing_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/makrx_billing_bench CELERY_TASK_ALWAYS_EAGER=true
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/billing.py --members 2000 --records 50

Prints the wall time and the number of SQL queries of the run, and (``--probe``) the queries of a run over a
few members with 10 and with 100 records each, so "queries do not grow per record" is measured, not assumed.
A second run right after must draft nothing (idempotent) and is timed too.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "makrx.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from makerspace.models import BillableRecord, Invoice, InvoiceLine, Makerspace, Member  # noqa: E402
from makerspace.services.invoices import invoices_draft_monthly  # noqa: E402
from makrx.models import User  # noqa: E402

NOW = datetime(2026, 4, 2, 6, 0, tzinfo=UTC)  # the run drafts March 2026
MARCH = datetime(2026, 3, 1, tzinfo=UTC)
KINDS = ["subscription", "reservation", "usage", "overage", "material", "fee"]


def build(*, members: int, records: int, tag: str) -> Makerspace:
    rng = random.Random(7)
    space = Makerspace.objects.create(name=f"bench-billing-{tag}", slug=f"bench-billing-{tag}", state_code="29")
    users = User.objects.bulk_create(
        [User(username=f"bb-{tag}-{n}", keycloak_sub=f"bb-{tag}-{n}") for n in range(members)], batch_size=2000
    )
    people = Member.objects.bulk_create(
        [
            Member(user=user, makerspace=space, status="active", billing_state_code=rng.choice(["29", "27"]))
            for user in users
        ],
        batch_size=2000,
    )
    rows = []
    for member in people:
        for n in range(records):
            price = Decimal(rng.randint(100, 500000)) / 100
            rows.append(
                BillableRecord(
                    makerspace=space,
                    member=member,
                    kind=rng.choice(KINDS),
                    description=f"bench record {n}",
                    unit_price=price,
                    amount=price,
                    currency="INR",
                    occurred_at=MARCH + timedelta(seconds=rng.randint(0, 30 * 86400)),
                )
            )
        if len(rows) >= 20000:
            BillableRecord.objects.bulk_create(rows, batch_size=5000)
            rows = []
    BillableRecord.objects.bulk_create(rows, batch_size=5000)
    return space


def cleanup(space: Makerspace) -> None:
    """Remove the benchmark's rows with plain DELETEs by makerspace (no ORM collector over 100k rows)."""
    tables = {
        model: connection.ops.quote_name(model._meta.db_table)
        for model in (InvoiceLine, Invoice, BillableRecord, Member, User)
    }
    users = list(Member.objects.filter(makerspace=space).values_list("user_id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {tables[InvoiceLine]} WHERE invoice_id IN (SELECT id FROM {tables[Invoice]} WHERE makerspace_id = %s)",
            [space.pk],
        )
        for model in (Invoice, BillableRecord, Member):
            cursor.execute(f"DELETE FROM {tables[model]} WHERE makerspace_id = %s", [space.pk])
        cursor.execute(f"DELETE FROM {tables[User]} WHERE id = ANY(%s)", [users])
    space.delete()


def timed_run() -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        drafted = invoices_draft_monthly(now=NOW)
        elapsed = time.perf_counter() - started
    return elapsed, len(queries), drafted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--records", type=int, default=50)
    parser.add_argument("--probe", action="store_true", help="also count queries at 10 and 100 records per member")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("needs PostgreSQL")
    if Makerspace.objects.exclude(name__startswith="bench-billing-").filter(billable_records__isnull=False).exists():
        sys.exit("this database holds real billable records; use a database of its own")
    print(f"load average before: {os.getloadavg()}")
    if args.probe:
        for per_member in (10, 100):
            space = build(members=20, records=per_member, tag=uuid.uuid4().hex[:8])
            _elapsed, queries, drafted = timed_run()
            print(f"probe: 20 members × {per_member} records: {queries} queries ({queries / drafted:.1f} per invoice)")
            cleanup(space)
    tag = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    space = build(members=args.members, records=args.records, tag=tag)
    print(f"built {args.members} members × {args.records} records in {time.perf_counter() - started:.1f} s")
    connection.cursor().execute("ANALYZE")
    reset_queries()
    elapsed, queries, drafted = timed_run()
    lines = InvoiceLine.objects.filter(invoice__makerspace=space).count()
    print(
        f"monthly run: {drafted} invoices, {lines} lines in {elapsed:.1f} s, {queries} queries "
        f"({queries / max(drafted, 1):.1f} per invoice, {queries / max(lines, 1):.3f} per record)"
    )
    again, again_queries, again_drafted = timed_run()
    print(f"second run: {again_drafted} invoices in {again:.1f} s, {again_queries} queries")
    print(f"load average after: {os.getloadavg()}")
    if not args.keep:
        cleanup(space)


if __name__ == "__main__":
    main()
