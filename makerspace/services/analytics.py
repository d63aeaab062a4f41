"""Analytics reports: who may read them, what a valid period is, and their CSV form (figures come from selectors)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.db import connection

from makerspace.models import Makerspace
from makerspace.selectors.analytics import BUCKETS, REPORTS, Period, analytics_report
from makrx.auth import scoping
from makrx.errors import NotFound, ServiceUnavailable, ValidationError

DEFAULT_DAYS = 30
MAX_BUCKETS = 1000


def analytics_period(
    *, makerspace: Makerspace, date_from: dt.date | None, date_to: dt.date | None, bucket: str
) -> Period:
    """The period asked for: ``to`` defaults to today in the makerspace, ``from`` to 30 days before ``to``."""
    if bucket not in BUCKETS:
        raise ValidationError("Unknown bucket.", errors={"bucket": [f"Choose one of {', '.join(BUCKETS)}."]})
    today = dt.datetime.now(makerspace.tzinfo).date()
    date_to = date_to or today
    date_from = date_from or date_to - dt.timedelta(days=DEFAULT_DAYS - 1)
    if date_from > date_to:
        raise ValidationError("`from` is after `to`.", errors={"from": ["Must be on or before `to`."]})
    days = (date_to - date_from).days + 1
    approx = {"day": days, "week": days / 7 + 1, "month": days / 28 + 1}[bucket]
    if approx > MAX_BUCKETS:
        raise ValidationError(
            f"That period holds more than {MAX_BUCKETS} {bucket} buckets; choose a larger bucket or a shorter period.",
            code="too_many_buckets",
            errors={"bucket": [f"More than {MAX_BUCKETS} buckets."]},
        )
    return Period(makerspace=makerspace, date_from=date_from, date_to=date_to, bucket=bucket)


def analytics_report_run(
    *, actor, report: str, makerspace_id: int, date_from: dt.date | None, date_to: dt.date | None, bucket: str
) -> dict:
    """One report for the staff of the makerspace (or platform admins): ``{report, bucket, series, totals, …}``."""
    if report not in REPORTS:
        raise NotFound(f"Unknown report {report!r}; reports: {', '.join(REPORTS)}.")
    makerspace = Makerspace.objects.filter(pk=makerspace_id).first()
    if makerspace is None:
        raise ValidationError("Unknown makerspace.", errors={"makerspace": ["Unknown makerspace."]})
    if actor is not scoping.SYSTEM:
        scoping.makerspace_staff_require(user=actor, makerspace_id=makerspace.pk)
    period = analytics_period(makerspace=makerspace, date_from=date_from, date_to=date_to, bucket=bucket)
    if connection.vendor != "postgresql":
        # The reports are SQL over generated time series and time zones; SQLite (make run) has neither.
        raise ServiceUnavailable(
            "Analytics need PostgreSQL; this deployment runs on SQLite.", code="analytics_unavailable"
        )
    return analytics_report(period=period, report=report)


def _flat(prefix: str, value, out: dict) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flat(f"{prefix}.{key}" if prefix else str(key), inner, out)
    else:
        out[prefix] = "" if value is None else value


def analytics_csv(result: dict) -> str:
    """The report's series as CSV: one row per bucket, nested figures as dotted columns (``by_status.completed``).

    A report without a series (peak hours' matrix, empty reports) still has its header row; peak hours add one row
    per weekday with the 24 hourly counts.
    """
    rows = []
    for entry in result["series"]:
        flat: dict = {}
        _flat("", entry, flat)
        rows.append(flat)
    columns = ["start"]
    for row in rows:
        columns += [name for name in row if name not in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(name, 0) for name in columns])
    if result["report"] == "peak-hours":
        writer.writerow([])
        writer.writerow(["weekday", *[f"{hour:02d}:00" for hour in range(24)]])
        for weekday, counts in zip(result["totals"]["weekdays"], result["totals"]["matrix"], strict=True):
            writer.writerow([weekday, *counts])
    return buffer.getvalue()
