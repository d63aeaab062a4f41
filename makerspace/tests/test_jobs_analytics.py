"""The jobs analytics report equals a brute-force Python computation, for every bucket, across the DST change.

Reuses the period, buckets and makerspace of ``test_analytics`` (Europe/Berlin, 2026-02-10 … 2026-05-20, nothing
after 2026-04-20); jobs of another makerspace are generated too and must never count.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics

import pytest

from makerspace.models import ServiceJob
from makerspace.tests.factories import MakerspaceFactory, ServiceJobFactory
from makerspace.tests.test_analytics import DATA_END, FIRST, buckets, fetch, local

pytestmark = pytest.mark.django_db
MOMENTS = ("received", "completed", "shipped", "rejected", "cancelled")


@pytest.fixture
def jobs_world():
    rng = random.Random(1616)
    space = MakerspaceFactory(timezone="Europe/Berlin", with_hours=False)
    other = MakerspaceFactory(timezone="UTC")
    start = local(FIRST) - dt.timedelta(days=10)
    span_minutes = int((DATA_END - start).total_seconds() // 60)
    rows = []
    for index in range(400):
        received = start + dt.timedelta(minutes=rng.randint(0, span_minutes))
        fields = {"received_at": received}
        fate = rng.random()
        if fate < 0.1:
            fields.update(status="rejected", rejected_at=received + dt.timedelta(minutes=rng.randint(5, 600)))
        elif fate < 0.2:
            fields.update(status="cancelled", cancelled_at=received + dt.timedelta(hours=rng.randint(1, 90)))
        elif fate < 0.3:
            fields.update(status="received")
        else:
            completed = received + dt.timedelta(minutes=rng.randint(30, 60 * 24 * 9))
            fields.update(status="completed", accepted_at=received, started_at=received, completed_at=completed)
            if rng.random() < 0.6:
                fields.update(status="shipped", shipped_at=completed + dt.timedelta(hours=rng.randint(1, 72)))
        rows.append(
            ServiceJob(
                makerspace=space if index % 10 else other,
                external_order_id=f"bf-{index}",
                title=f"Job {index}",
                **fields,
            )
        )
    ServiceJob.objects.bulk_create(rows)
    ServiceJobFactory(makerspace=space, received_at=local(FIRST) - dt.timedelta(days=40))  # before the period
    return {"space": space}


@pytest.fixture
def staff_client(client_for):
    return client_for(roles=["admin"])


def expected_jobs(space, bucket):
    jobs = list(ServiceJob.objects.filter(makerspace=space))

    def block(s, e):
        row = {moment: sum(1 for j in jobs if (at := getattr(j, f"{moment}_at")) and s <= at < e) for moment in MOMENTS}
        hours = [
            (j.completed_at - j.received_at).total_seconds() / 3600
            for j in jobs
            if j.completed_at and s <= j.completed_at < e
        ]
        row["turnaround_hours_median"] = round(statistics.median(hours), 2) if hours else None
        row["turnaround_hours_mean"] = round(statistics.fmean(hours), 2) if hours else None
        return row

    periods = buckets(bucket)
    series = [{"start": start.isoformat(), **block(s, e)} for start, s, e in periods]
    return series, block(periods[0][1], periods[-1][2])


def _same(got: dict, want: dict, where):
    for key, value in want.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, abs=0.011), (where, key)
        else:
            assert got[key] == value, (where, key)


@pytest.mark.parametrize("bucket", ["day", "week", "month"])
def test_jobs_report_matches_brute_force(staff_client, jobs_world, bucket):
    body = fetch(staff_client, jobs_world["space"], "jobs", bucket).json()
    series, totals = expected_jobs(jobs_world["space"], bucket)

    assert [row["start"] for row in body["series"]] == [row["start"] for row in series]
    for got, want in zip(body["series"], series, strict=True):
        _same(got, want, got["start"])
    _same(body["totals"], totals, "totals")
    assert totals["received"] > 200 and totals["completed"] > 100 and totals["rejected"] > 10  # not trivial
    assert series[-1]["received"] == 0 and series[-1]["turnaround_hours_median"] is None  # the empty tail
