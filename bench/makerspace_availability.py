"""Makerspace booking benchmark: availability over a month with 5,000 reservations, and booking throughput.

Not a test. Needs a migrated PostgreSQL database (it creates its own makerspace, machines and members,
named ``bench-*``, and removes them at the end unless --keep):

    createdb -h 127.0.0.1 -U postgres makrx_msb_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/makrx_msb_bench CELERY_TASK_ALWAYS_EAGER=true
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/makerspace_availability.py --reservations 5000 --create 500

Measures (1) ``equipment_availability`` for each day of a 30-day month on one machine holding
``--reservations`` active reservations in that month (the selector the API calls, in-process), and
(2) reservations/s through ``reservation_create`` (every rule checked, equipment row locked, exclusion
constraint in place), sequentially on one machine and with ``--threads`` threads on separate machines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "makrx.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from makerspace.models import Equipment, Makerspace, Member, OpeningHours, Reservation  # noqa: E402
from makerspace.selectors.reservations import equipment_availability  # noqa: E402
from makerspace.services.reservations import reservation_create  # noqa: E402
from makrx.models import User  # noqa: E402


def setup(threads: int):
    space = Makerspace.objects.create(name="bench space", slug=f"bench-{os.getpid()}", timezone="Asia/Kolkata")
    OpeningHours.objects.bulk_create(
        [OpeningHours(makerspace=space, weekday=d, opens=datetime.min.time(), closes="23:59") for d in range(7)]
    )
    machines = [
        Equipment.objects.create(makerspace=space, name=f"bench machine {i}", slug=f"bench-{i}")
        for i in range(threads + 2)
    ]
    users = [User.objects.create_user(username=f"bench-{os.getpid()}-{i}") for i in range(threads + 1)]
    members = [Member.objects.create(user=u, makerspace=space, status="active") for u in users]
    return space, machines, members


def fill(machine, member, *, count: int, month_start: datetime) -> None:
    """``count`` non-overlapping reservations spread evenly over 30 days."""
    step = timedelta(days=30) / count
    length = step * 0.75
    Reservation.objects.bulk_create(
        [
            Reservation(
                equipment=machine,
                user=member.user,
                member=member,
                starts_at=month_start + step * i,
                ends_at=month_start + step * i + length,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )


def bench_availability(machine, month_start: datetime, *, rounds: int) -> dict:
    tz = machine.makerspace.tzinfo
    first_day = month_start.astimezone(tz).date()
    now = month_start - timedelta(days=1)
    per_day, per_month, busy_total = [], [], 0
    for _ in range(rounds):
        month_begin = time.perf_counter()
        for offset in range(30):
            begin = time.perf_counter()
            result = equipment_availability(equipment=machine, day=first_day + timedelta(days=offset), now=now)
            per_day.append(time.perf_counter() - begin)
            busy_total += len(result.busy)
        per_month.append(time.perf_counter() - month_begin)
    return {
        "day_median_ms": statistics.median(per_day) * 1000,
        "day_p95_ms": sorted(per_day)[int(len(per_day) * 0.95)] * 1000,
        "month_median_ms": statistics.median(per_month) * 1000,
        "busy_per_day": busy_total / (30 * rounds),
    }


def _slot(start: datetime, i: int) -> tuple[datetime, datetime]:
    """The i-th 10-minute slot: 90 a day from local midnight, so none crosses closing time (23:59)."""
    begin = start + timedelta(days=i // 90, minutes=10 * (i % 90))
    return begin, begin + timedelta(minutes=10)


def bench_create(machines, members, *, count: int, threads: int, start: datetime) -> dict:
    # Sequential: one machine, back-to-back 10-minute slots.
    begin = time.perf_counter()
    for i in range(count):
        reservation_create(
            actor=members[0].user,
            equipment=machines[0],
            starts_at=_slot(start, i)[0],
            ends_at=_slot(start, i)[1],
        )
    sequential = count / (time.perf_counter() - begin)

    def worker(index: int) -> None:
        try:
            machine, member = machines[index + 1], members[index + 1]
            for i in range(count // threads):
                reservation_create(
                    actor=member.user,
                    equipment=machine,
                    starts_at=_slot(start, i)[0],
                    ends_at=_slot(start, i)[1],
                )
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    begin = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    parallel = (count // threads) * threads / (time.perf_counter() - begin)
    return {"sequential_per_s": sequential, "parallel_per_s": parallel}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reservations", type=int, default=5000)
    parser.add_argument("--create", type=int, default=500, help="reservations to create through the service")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the month")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL).")

    space, machines, members = setup(args.threads)
    month_start = (timezone.now() + timedelta(days=40)).astimezone(space.tzinfo)
    month_start = month_start.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    try:
        fill(machines[-1], members[-1], count=args.reservations, month_start=month_start)
        availability = bench_availability(machines[-1], month_start, rounds=args.rounds)
        creation = bench_create(
            machines, members, count=args.create, threads=args.threads, start=month_start + timedelta(days=1)
        )
    finally:
        if not args.keep:
            Reservation.objects.filter(equipment__makerspace=space).delete()
            space.delete()
            User.objects.filter(pk__in=[m.user_id for m in members]).delete()
    print(f"availability, {args.reservations} reservations in the month ({availability['busy_per_day']:.0f}/day):")
    print(f"  per day-query: median {availability['day_median_ms']:.2f} ms, p95 {availability['day_p95_ms']:.2f} ms")
    print(f"  whole month (30 day-queries): median {availability['month_median_ms']:.1f} ms")
    print(f"reservation_create: {creation['sequential_per_s']:.0f}/s sequential (one machine), ", end="")
    print(f"{creation['parallel_per_s']:.0f}/s with {args.threads} threads on separate machines")


if __name__ == "__main__":
    main()
