"""Bookings benchmark: the price and availability endpoints next to a bare endpoint, one machine with a month of
5,000 reservations and 20 cost rules.

Not a test. Needs a migrated PostgreSQL database (it creates its own makerspace, machine and members, named
``bench-*``, and removes them at the end unless --keep):

    createdb -h 127.0.0.1 -U postgres makrx_bookings_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/makrx_bookings_bench CELERY_TASK_ALWAYS_EAGER=true
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/bookings.py --requests 300

Each request goes through the whole Django stack in-process (middleware, DRF authentication, permission,
serializer), as the member who books: ``GET /api/v1/health/live`` (the bare endpoint: no database),
``GET …/equipment/{id}/price/`` (machine lookup, membership and subscription, included-hours ledger, the
20 rules, the quote) and ``GET …/equipment/{id}/availability/`` (a day of the busy month). Ranges and days
vary across the month. Median and p95 per endpoint.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time as clock
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "makrx.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from makerspace.models import (  # noqa: E402
    CostRule,
    Equipment,
    Makerspace,
    Member,
    MembershipPlan,
    OpeningHours,
    Reservation,
    Skill,
    Subscription,
)
from makrx.models import User  # noqa: E402

KINDS = [
    ("hourly_rate", {"amount": Decimal("150")}),
    ("tiered_hours", {"tiers": [{"up_to_hours": "1", "rate": "120"}, {"up_to_hours": None, "rate": "90"}]}),
    ("flat_fee", {"amount": Decimal("25")}),
    ("time_multiplier", {"percent": Decimal("150"), "start_time": time(18), "end_time": time(22)}),
    ("time_multiplier", {"percent": Decimal("80"), "weekdays": [5, 6]}),
    ("plan_discount", {"percent": Decimal("10")}),
    ("skill_premium", {"amount": Decimal("40")}),
    ("minimum_charge", {"amount": Decimal("50")}),
    ("deposit", {"percent": Decimal("20")}),
    ("flat_fee", {"amount": Decimal("5"), "equipment_type": "laser_cutter"}),  # matches nothing here
]


def setup():
    tag = f"bench-{os.getpid()}"
    space = Makerspace.objects.create(name="bench bookings", slug=tag, timezone="Asia/Kolkata")
    OpeningHours.objects.bulk_create(
        [OpeningHours(makerspace=space, weekday=d, opens=time(0), closes=time(23, 59)) for d in range(7)]
    )
    skill = Skill.objects.create(makerspace=space, name=f"{tag} skill")
    machine = Equipment.objects.create(makerspace=space, name="bench printer", slug=tag, hourly_rate=Decimal("200"))
    machine.required_skills.add(skill)
    plan = MembershipPlan.objects.create(makerspace=space, name=f"{tag} plan", included_hours=Decimal("10"))
    user = User.objects.create_user(username=f"{tag}-member")
    member = Member.objects.create(user=user, makerspace=space, status="active", plan=plan)
    Subscription.objects.create(
        member=member,
        plan=plan,
        starts_at=timezone.now() - timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=365),
    )
    rules = []
    for i in range(20):
        kind, params = KINDS[i % len(KINDS)]
        params = dict(params)
        if kind == "skill_premium":
            params["skill"] = skill
        if kind == "plan_discount":
            params["plan"] = plan
        rules.append(CostRule(makerspace=space, name=f"rule {i}", kind=kind, priority=i, **params))
    CostRule.objects.bulk_create(rules)
    return space, machine, member


def fill(machine, member, *, count: int, month_start: datetime) -> None:
    """``count`` non-overlapping reservations spread evenly over 30 days (bulk insert)."""
    step = timedelta(days=30) / count
    Reservation.objects.bulk_create(
        [
            Reservation(
                equipment=machine,
                user=member.user,
                member=member,
                starts_at=month_start + step * i,
                ends_at=month_start + step * i + step * 0.75,
                price=Decimal("100.00"),
                included_minutes=0,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )


def measure(client, paths) -> dict:
    times = []
    for path, query in paths:
        begin = clock.perf_counter()
        response = client.get(path, query)
        times.append(clock.perf_counter() - begin)
        if response.status_code != 200:
            raise SystemExit(f"{path} {query}: {response.status_code} {response.content[:300]!r}")
    times.sort()
    return {"median_ms": statistics.median(times) * 1000, "p95_ms": times[int(len(times) * 0.95)] * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reservations", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=300, help="requests per endpoint")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL).")

    space, machine, member = setup()
    month_start = (timezone.now() + timedelta(days=40)).astimezone(space.tzinfo)
    month_start = month_start.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    client = APIClient(SERVER_NAME="localhost")
    client.force_authenticate(user=member.user)
    base = f"/api/v1/makerspace/equipment/{machine.pk}"
    n = args.requests
    try:
        fill(machine, member, count=args.reservations, month_start=month_start)
        ranges = [month_start + timedelta(hours=(i * 7) % (24 * 30)) for i in range(n)]
        price_paths = [
            (f"{base}/price/", {"starts_at": s.isoformat(), "ends_at": (s + timedelta(minutes=150)).isoformat()})
            for s in ranges
        ]
        first_day = month_start.astimezone(space.tzinfo).date()
        day_paths = [(f"{base}/availability/", {"date": str(first_day + timedelta(days=i % 30))}) for i in range(n)]
        bare_paths = [("/api/v1/health/live", None)] * n
        measure(client, price_paths[:20] + day_paths[:20] + bare_paths[:20])  # warm-up
        results = {
            "bare /api/v1/health/live": measure(client, bare_paths),
            "price (20 rules)": measure(client, price_paths),
            "availability (a day of the month)": measure(client, day_paths),
        }
    finally:
        if not args.keep:
            Reservation.objects.filter(equipment=machine).delete()
            Subscription.objects.filter(member=member).delete()
            user = member.user
            space.delete()
            user.delete()
    print(f"{args.reservations} reservations in the month, 20 cost rules, {n} requests per endpoint (in-process):")
    for name, figures in results.items():
        print(f"  {name:36s} median {figures['median_ms']:6.2f} ms   p95 {figures['p95_ms']:6.2f} ms")


if __name__ == "__main__":
    main()
