"""Analytics reports equal a brute-force Python computation on generated data, for every report and bucket.

The makerspace is in Europe/Berlin; the period spans the spring DST change (2026-03-29, 02:00 → 03:00) and
the Sunday opening hours 01:00–05:00 lose an hour that day. The last month of the period is empty, so empty
buckets show. Another makerspace's rows are generated too and must never count.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from makerspace.models import Closure, Equipment, Member, MemberEvent, OpeningHours, Reservation, UsageSession
from makerspace.tests.factories import EquipmentFactory, MakerspaceFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/Berlin")
UTC = dt.UTC
FIRST = dt.date(2026, 2, 10)
LAST = dt.date(2026, 5, 20)  # nothing happens after 2026-04-20: the last weeks and month are empty buckets
DATA_END = dt.datetime(2026, 4, 20, tzinfo=TZ)
STATUSES = ["pending", "confirmed", "checked_in", "completed", "cancelled", "no_show"]
HOURS = {  # weekday: [(opens, closes)] in local time
    0: [(dt.time(9), dt.time(13)), (dt.time(14), dt.time(20))],
    2: [(dt.time(10), dt.time(18))],
    4: [(dt.time(9), dt.time(21))],
    6: [(dt.time(1), dt.time(5))],  # includes the DST jump on 2026-03-29
}
CLOSED = (dt.date(2026, 3, 2), dt.date(2026, 3, 4))


def local(day: dt.date, t: dt.time = dt.time.min) -> dt.datetime:
    return dt.datetime.combine(day, t, tzinfo=TZ)


def _generate_intervals(rng, start: dt.datetime, end: dt.datetime, gap_hours=30):
    """Non-overlapping [start, end) intervals on one machine (UTC instants, 15-minute steps)."""
    t = start.astimezone(UTC)
    while True:
        t += dt.timedelta(minutes=15 * rng.randint(0, gap_hours * 4))
        length = dt.timedelta(minutes=15 * rng.randint(1, 16))
        if t + length >= end.astimezone(UTC):
            return
        yield t, t + length
        t += length


@pytest.fixture
def world():
    rng = random.Random(20260329)
    space = MakerspaceFactory(timezone="Europe/Berlin", with_hours=False)
    other = MakerspaceFactory(timezone="UTC")
    OpeningHours.objects.bulk_create(
        [
            OpeningHours(makerspace=space, weekday=day, opens=opens, closes=closes)
            for day, intervals in HOURS.items()
            for opens, closes in intervals
        ]
    )
    Closure.objects.create(makerspace=space, starts_on=CLOSED[0], ends_on=CLOSED[1], reason="Holiday")
    machines = [
        EquipmentFactory(makerspace=space, equipment_type=Equipment.Type.PRINTER_3D),
        EquipmentFactory(makerspace=space, equipment_type=Equipment.Type.PRINTER_3D),
        EquipmentFactory(makerspace=space, equipment_type=Equipment.Type.LASER_CUTTER),
    ]
    EquipmentFactory(makerspace=space, active=False)  # retired: not a machine of the report
    foreign = EquipmentFactory(makerspace=other)
    user = UserFactory()
    reservations, sessions = [], []
    for machine in [*machines, foreign]:
        for starts, ends in _generate_intervals(rng, local(FIRST) - dt.timedelta(days=3), DATA_END):
            reservations.append(
                Reservation(equipment=machine, user=user, starts_at=starts, ends_at=ends, status=rng.choice(STATUSES))
            )
        for starts, ends in _generate_intervals(rng, local(FIRST) - dt.timedelta(days=2), DATA_END, gap_hours=40):
            sessions.append(UsageSession(equipment=machine, user=user, started_at=starts, ended_at=ends))
    Reservation.objects.bulk_create(reservations)
    UsageSession.objects.bulk_create(sessions)

    members = []
    for index in range(40):
        joined = local(FIRST - dt.timedelta(days=20)) + dt.timedelta(hours=rng.randint(0, 24 * 85))
        member = MemberFactory(makerspace=space if index < 35 else other, joined_at=joined)
        members.append(member)
        moment = joined
        status = "active"
        for _ in range(rng.randint(0, 3)):
            moment += dt.timedelta(hours=rng.randint(1, 24 * 30))
            to_status = "active" if status != "active" else rng.choice(["suspended", "expired"])
            MemberEvent.objects.create(member=member, from_status=status, to_status=to_status, created_at=moment)
            status = to_status
        # A role change is an event without a status change: it never counts.
        MemberEvent.objects.create(
            member=member, from_status=status, to_status=status, from_role="member", to_role="staff", created_at=moment
        )
    MemberFactory(makerspace=space, status=Member.Status.PENDING, joined_at=None)
    return {"space": space, "machines": machines}


# --- brute force -----------------------------------------------------------------------------------------------


def buckets(bucket: str) -> list[tuple[dt.date, dt.datetime, dt.datetime]]:
    """(start date, start instant, end instant) of each bucket, clipped to the period."""
    out = []
    day = FIRST
    end_day = LAST + dt.timedelta(days=1)
    while day < end_day:
        if bucket == "day":
            nxt = day + dt.timedelta(days=1)
        elif bucket == "week":
            nxt = day + dt.timedelta(days=7 - day.weekday())
        else:
            nxt = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        nxt = min(nxt, end_day)
        out.append((day, local(day).astimezone(UTC), local(nxt).astimezone(UTC)))
        day = nxt
    return out


def overlap_seconds(a0, a1, b0, b1) -> float:
    return max(0.0, (min(a1, b1) - max(a0, b0)).total_seconds())


def space_reservations(space):
    return list(Reservation.objects.filter(equipment__makerspace=space))


def open_seconds(day: dt.date) -> float:
    if CLOSED[0] <= day <= CLOSED[1]:
        return 0.0
    return sum(
        (local(day, closes).astimezone(UTC) - local(day, opens).astimezone(UTC)).total_seconds()
        for opens, closes in HOURS.get(day.weekday(), [])
    )


def expected_reservations(space, bucket):
    rows = space_reservations(space)

    def block(counts):
        due = sum(counts.get(s, 0) for s in ("checked_in", "completed", "no_show"))
        return {
            "total": sum(counts.values()),
            "by_status": dict(sorted(counts.items())),
            "no_show_rate": round(counts.get("no_show", 0) / due, 4) if due else None,
        }

    series, totals = [], Counter()
    for start, s, e in buckets(bucket):
        counts = Counter(r.status for r in rows if s <= r.starts_at < e)
        totals.update(counts)
        series.append({"start": start.isoformat(), **block(dict(counts))})
    return series, block(dict(totals))


def expected_utilization(space, machines, bucket):
    ids = {m.pk for m in machines}
    reservations = [r for r in space_reservations(space) if r.equipment_id in ids and r.status != "cancelled"]
    sessions = list(UsageSession.objects.filter(equipment_id__in=ids))
    series = []
    for start, s, e in buckets(bucket):
        reserved = sum(overlap_seconds(r.starts_at, r.ends_at, s, e) for r in reservations)
        used = sum(overlap_seconds(u.started_at, u.ended_at, s, e) for u in sessions)
        day, opened = start, 0.0
        while local(day).astimezone(UTC) < e:
            opened += open_seconds(day)
            day += dt.timedelta(days=1)
        opened *= len(machines)
        series.append(
            {
                "start": start.isoformat(),
                "reserved_hours": round(reserved / 3600, 2),
                "used_hours": round(used / 3600, 2),
                "open_hours": round(opened / 3600, 2),
                "utilization": round(reserved / opened, 4) if opened else None,
            }
        )
    return series


def expected_peak(space):
    period_start, period_end = local(FIRST).astimezone(UTC), local(LAST + dt.timedelta(days=1)).astimezone(UTC)
    matrix = [[0] * 24 for _ in range(7)]
    for r in space_reservations(space):
        if r.status != "cancelled" and period_start <= r.starts_at < period_end:
            at = r.starts_at.astimezone(TZ)
            matrix[at.weekday()][at.hour] += 1
    return matrix


def status_at(member, events, moment) -> str | None:
    if member.joined_at is None or member.joined_at >= moment:
        return None
    status = "active"
    for event in sorted((ev for ev in events if ev.member_id == member.pk), key=lambda ev: (ev.created_at, ev.id)):
        if event.created_at < moment and event.to_status and event.to_status != event.from_status:
            status = event.to_status
    return status


def expected_members(space, bucket):
    members = list(Member.objects.filter(makerspace=space))
    events = list(MemberEvent.objects.filter(member__makerspace=space))
    series = []
    for start, s, e in buckets(bucket):
        series.append(
            {
                "start": start.isoformat(),
                "new": sum(1 for m in members if m.joined_at and s <= m.joined_at < e),
                "churned": sum(
                    1
                    for ev in events
                    if ev.from_status == "active" and ev.to_status not in ("active", "") and s <= ev.created_at < e
                ),
                "active": sum(1 for m in members if status_at(m, events, e) == "active"),
            }
        )
    return series


# --- the comparisons -------------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client_for, world):
    client = client_for(roles=["admin"])
    return client


def fetch(client, space, report, bucket, **extra):
    response = client.get(
        f"/api/v1/makerspace/analytics/{report}/",
        {"makerspace": space.pk, "from": FIRST.isoformat(), "to": LAST.isoformat(), "bucket": bucket, **extra},
    )
    assert response.status_code == 200, response.content
    return response


def _close(actual: list[dict], expected: list[dict]):
    assert [row["start"] for row in actual] == [row["start"] for row in expected]
    for got, want in zip(actual, expected, strict=True):
        for key, value in want.items():
            if isinstance(value, float):
                assert got[key] == pytest.approx(value, abs=0.011), (got["start"], key)
            else:
                assert got[key] == value, (got["start"], key)


@pytest.mark.parametrize("bucket", ["day", "week", "month"])
def test_reservations_report_matches_brute_force(staff_client, world, bucket):
    body = fetch(staff_client, world["space"], "reservations", bucket).json()
    series, totals = expected_reservations(world["space"], bucket)
    assert body["report"] == "reservations" and body["bucket"] == bucket
    _close(body["series"], series)
    assert body["totals"] == totals
    assert totals["total"] > 100 and totals["by_status"]["no_show"] > 0  # the data is not trivially empty
    assert series[-1]["total"] == 0  # the empty tail is there, with zeros


@pytest.mark.parametrize("bucket", ["day", "week", "month"])
def test_utilization_report_matches_brute_force(staff_client, world, bucket):
    body = fetch(staff_client, world["space"], "utilization", bucket).json()
    expected = expected_utilization(world["space"], world["machines"], bucket)
    _close(body["series"], expected)
    assert body["totals"]["machines"] == 3
    assert body["totals"]["reserved_hours"] > 100 and body["totals"]["used_hours"] > 50
    assert body["totals"]["open_hours"] == pytest.approx(sum(row["open_hours"] for row in expected), abs=0.05)
    assert body["totals"]["reserved_hours"] == pytest.approx(sum(row["reserved_hours"] for row in expected), abs=0.05)
    by_type = {row["type"]: row for row in body["totals"]["by_type"]}
    assert by_type["3d_printer"]["machines"] == 2 and by_type["laser_cutter"]["machines"] == 1
    assert sum(row["reserved_hours"] for row in body["totals"]["by_equipment"]) == pytest.approx(
        body["totals"]["reserved_hours"], abs=0.05
    )


def test_the_dst_day_is_open_one_hour_less(staff_client, world):
    body = fetch(staff_client, world["space"], "utilization", "day").json()
    open_by_day = {row["start"]: row["open_hours"] for row in body["series"]}
    assert open_by_day["2026-03-22"] == 4 * 3  # a Sunday: 01:00–05:00 on three machines
    assert open_by_day["2026-03-29"] == 3 * 3  # the clocks skip 02:00–03:00
    assert open_by_day["2026-03-03"] == 0  # closed


@pytest.mark.parametrize("bucket", ["day", "week", "month"])
def test_peak_hours_report_matches_brute_force(staff_client, world, bucket):
    body = fetch(staff_client, world["space"], "peak-hours", bucket).json()
    matrix = expected_peak(world["space"])
    assert body["totals"]["matrix"] == matrix
    assert all(type(count) is int for row in body["totals"]["matrix"] for count in row)
    assert body["totals"]["reservations"] == sum(map(sum, matrix))
    assert sum(row["reservations"] for row in body["series"]) == sum(map(sum, matrix))
    peak = body["totals"]["peak"]
    assert peak["reservations"] == max(map(max, matrix))


@pytest.mark.parametrize("bucket", ["day", "week", "month"])
def test_members_report_matches_brute_force(staff_client, world, bucket):
    body = fetch(staff_client, world["space"], "members", bucket).json()
    expected = expected_members(world["space"], bucket)
    _close(body["series"], expected)
    assert body["totals"]["new"] == sum(row["new"] for row in expected) > 10
    assert body["totals"]["churned"] == sum(row["churned"] for row in expected) > 3
    assert body["totals"]["active_at_end"] == expected[-1]["active"]


def _revenue_data(space, other):
    """Billable records of every kind around and inside the period (the other space's must never count), and
    invoice payments and refunds booked at random instants."""
    from decimal import Decimal

    from makerspace.models import BillableRecord, InvoicePayment
    from makerspace.tests.factories import BillableRecordFactory, issued_invoice_for

    rng = random.Random(12)
    kinds = [kind for kind, _ in BillableRecord.Kind.choices]
    start = local(FIRST) - dt.timedelta(days=4)
    span = int((DATA_END - start).total_seconds())
    for target in (space, other):
        member = MemberFactory(makerspace=target)
        for _ in range(300):
            kind = rng.choice(kinds)
            price = Decimal(rng.randint(1, 500000)) / 100
            BillableRecordFactory(
                member=member,
                kind=kind,
                unit_price=-price if kind in ("refund", "adjustment") and rng.random() < 0.5 else price,
                occurred_at=start + dt.timedelta(seconds=rng.randint(0, span)),
            )
        invoice = issued_invoice_for(member=member, amount=Decimal("100000.00"))
        for _ in range(40):
            payment = InvoicePayment.objects.create(
                invoice=invoice,
                kind=rng.choice(["payment", "payment", "refund"]),
                method="cash",
                amount=Decimal(rng.randint(1, 100000)) / 100,
                currency="INR",
            )
            InvoicePayment.objects.filter(pk=payment.pk).update(
                created_at=start + dt.timedelta(seconds=rng.randint(0, span))
            )


def expected_revenue(space, bucket: str) -> list[dict]:
    from decimal import Decimal

    from makerspace.models import BillableRecord, InvoicePayment

    records = list(BillableRecord.objects.filter(makerspace=space))
    payments = list(InvoicePayment.objects.filter(invoice__makerspace=space))
    rows = []
    for day, b0, b1 in buckets(bucket):
        by_kind: dict[str, Decimal] = {}
        for record in records:
            if b0 <= record.occurred_at < b1:
                by_kind[record.kind] = by_kind.get(record.kind, Decimal(0)) + record.amount
        collected = sum(
            (p.amount if p.kind == "payment" else -p.amount for p in payments if b0 <= p.created_at < b1), Decimal(0)
        )
        rows.append(
            {
                "start": day.isoformat(),
                "revenue": f"{sum(by_kind.values(), Decimal(0)):.2f}",
                "by_kind": {kind: f"{amount:.2f}" for kind, amount in sorted(by_kind.items())},
                "collected": f"{collected:.2f}",
            }
        )
    return rows


@pytest.mark.parametrize("bucket", ["day", "week", "month"])
def test_revenue_report_matches_brute_force(staff_client, world, bucket):
    from decimal import Decimal

    _revenue_data(world["space"], MakerspaceFactory(timezone="UTC"))
    body = fetch(staff_client, world["space"], "revenue", bucket).json()
    expected = expected_revenue(world["space"], bucket)
    _close(body["series"], expected)
    total = sum((Decimal(row["revenue"]) for row in expected), Decimal(0))
    assert body["totals"]["revenue"] == f"{total:.2f}" and total != 0
    assert body["totals"]["available"] is True and len(body["totals"]["by_kind"]) == 9
    assert expected[-1]["revenue"] == "0.00"  # the empty tail


def test_csv_export_has_a_row_per_bucket(staff_client, world):
    response = fetch(staff_client, world["space"], "reservations", "month", format="csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    series, _ = expected_reservations(world["space"], "month")
    assert [row["start"] for row in rows] == [row["start"] for row in series]
    assert [int(row["total"]) for row in rows] == [row["total"] for row in series]
    assert [int(row.get("by_status.no_show") or 0) for row in rows] == [
        row["by_status"].get("no_show", 0) for row in series
    ]


def test_peak_hours_csv_carries_the_matrix(staff_client, world):
    text = fetch(staff_client, world["space"], "peak-hours", "month", format="csv").content.decode()
    assert "weekday,00:00," in text and "\nSunday," in text


# --- access and input ------------------------------------------------------------------------------------------


def test_staff_of_another_makerspace_are_refused(client_for, world):
    other = MakerspaceFactory()
    staff_b = client_for()
    MemberFactory(user=staff_b.user, makerspace=other, role="staff")
    member_a = client_for()
    MemberFactory(user=member_a.user, makerspace=world["space"], role="member")
    staff_a = client_for()
    MemberFactory(user=staff_a.user, makerspace=world["space"], role="staff")
    url = "/api/v1/makerspace/analytics/reservations/"
    assert staff_b.get(url, {"makerspace": world["space"].pk}).status_code == 403
    assert member_a.get(url, {"makerspace": world["space"].pk}).status_code == 403
    assert staff_a.get(url, {"makerspace": world["space"].pk}).status_code == 200


@pytest.mark.parametrize(
    ("report", "query", "status", "code"),
    [
        ("reservations", {"bucket": "year"}, 400, "invalid"),
        ("reservations", {"from": "2026-05-01", "to": "2026-04-01"}, 400, "invalid"),
        ("reservations", {"from": "2000-01-01", "to": "2099-12-31", "bucket": "day"}, 400, "too_many_buckets"),
        ("reservations", {"from": "not-a-date"}, 400, "invalid"),
        ("reservations", {"makerspace": "999999"}, 400, "invalid"),
        ("reservations", {"makerspace": "x"}, 400, "invalid"),
        ("sales", {}, 404, "not_found"),
        ("reservations", {"format": "csv", "bucket": "year"}, 400, "invalid"),
    ],
)
def test_bad_queries_are_clear_4xx(staff_client, world, report, query, status, code):
    params = {"makerspace": world["space"].pk, **query}
    response = staff_client.get(f"/api/v1/makerspace/analytics/{report}/", params)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == code


def test_default_period_is_the_last_30_days(staff_client, world):
    body = staff_client.get("/api/v1/makerspace/analytics/reservations/", {"makerspace": world["space"].pk}).json()
    assert len(body["series"]) == 30
    assert body["to"] == dt.datetime.now(TZ).date().isoformat()


def test_sqlite_answers_503(staff_client, world, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    response = staff_client.get("/api/v1/makerspace/analytics/members/", {"makerspace": world["space"].pk})
    assert response.status_code == 503
    assert response.json()["code"] == "analytics_unavailable"
