"""Analytics reports of one makerspace, computed in PostgreSQL: aggregations over generated buckets.

Buckets are days, ISO weeks (Monday) or months of the makerspace's local calendar. They are generated as local
wall-clock timestamps (``generate_series`` over ``timestamp without time zone``) and turned into instants with
``AT TIME ZONE``, so a bucket spanning a DST change is 23 or 25 hours long, as the clock on the wall says. The first
and last buckets are clipped to the period asked for. Every bucket appears, empty ones too. Python only reshapes the
aggregated rows (buckets × statuses, buckets × machines), never the raw rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from makerspace.models import (
    BillableRecord,
    Closure,
    Equipment,
    InventoryItem,
    Invoice,
    InvoicePayment,
    Makerspace,
    Member,
    MemberEvent,
    OpeningHours,
    Reservation,
    ServiceJob,
    StockMovement,
    UsageSession,
)

BUCKETS = {"day": "1 day", "week": "1 week", "month": "1 month"}
# Reservations that never took machine time: they do not count as reserved hours or peak-hour demand.
NOT_RESERVED_STATUSES = ("cancelled", "rejected")
# Reservations that were due to happen and did or did not: the base of the no-show rate.
DUE_STATUSES = ("checked_in", "completed", "no_show")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Period:
    makerspace: Makerspace
    date_from: dt.date
    date_to: dt.date  # inclusive
    bucket: str

    def params(self) -> dict:
        return {
            "space": self.makerspace.pk,
            "tz": self.makerspace.timezone,
            "unit": self.bucket,
            "step": BUCKETS[self.bucket],
            "start": dt.datetime.combine(self.date_from, dt.time.min),
            "end": dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min),
            "first_day": self.date_from,
            "last_day": self.date_to,
            "not_reserved": list(NOT_RESERVED_STATUSES),
        }


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


RANGES = """
buckets AS (
    SELECT GREATEST(b, %(start)s::timestamp) AS local_start,
           LEAST(b + %(step)s::interval, %(end)s::timestamp) AS local_end
    FROM generate_series(
        date_trunc(%(unit)s, %(start)s::timestamp), %(end)s::timestamp - interval '1 second', %(step)s::interval
    ) AS b
),
ranges AS (
    SELECT row_number() OVER (ORDER BY local_start) AS i, local_start, local_end,
           local_start AT TIME ZONE %(tz)s AS s, local_end AT TIME ZONE %(tz)s AS e
    FROM buckets
),
bounds AS (SELECT array_agg(s ORDER BY i) || MAX(e) AS b, MAX(i) AS n FROM ranges)
"""


# The bucket number (``ranges.i``) of an instant inside the period: a binary search of the buckets' boundary instants
# (``width_bucket``), so a report is one pass over its rows with no per-row time-zone arithmetic, joined to the
# generated buckets only after aggregation.
def _bucket_of(column: str) -> str:
    return f"width_bucket({column}, (SELECT b FROM bounds))"


IN_PERIOD = (
    "{column} >= (%(start)s::timestamp AT TIME ZONE %(tz)s) AND {column} < (%(end)s::timestamp AT TIME ZONE %(tz)s)"
)


def _rows(sql: str, params: dict) -> list[tuple]:
    # The planner overestimates the per-row generate_series and turns JIT on, whose compilation alone costs more
    # than a second; these queries are short, so JIT is off for them. A year of rows is sorted or hashed in
    # memory rather than spilled to disk. SET LOCAL: this transaction only.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '32MB'")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _hours(seconds) -> float:
    return round(float(seconds or 0) / 3600, 2)


def _ratio(part, whole, digits: int = 4) -> float | None:
    return round(float(part) / float(whole), digits) if whole else None


def _start(local_start: dt.datetime) -> str:
    return local_start.date().isoformat()


# --- reservations ------------------------------------------------------------------------------------------------


def _by_status_block(counts: dict[str, int]) -> dict:
    due = sum(counts.get(status, 0) for status in DUE_STATUSES)
    return {
        "total": sum(counts.values()),
        "by_status": dict(sorted(counts.items())),
        "no_show_rate": _ratio(counts.get("no_show", 0), due),
    }


def report_reservations(period: Period) -> dict:
    """Reservations starting in each bucket, by status (whatever statuses exist), and the no-show rate."""
    sql = f"""
    WITH {RANGES},
    counted AS (
        SELECT {_bucket_of("x.starts_at")} AS i, x.status, COUNT(*) AS n
        FROM {_t(Reservation)} x
        JOIN {_t(Equipment)} q ON q.id = x.equipment_id AND q.makerspace_id = %(space)s
        WHERE {IN_PERIOD.format(column="x.starts_at")}
        GROUP BY 1, 2
    )
    SELECT r.local_start, c.status, c.n
    FROM ranges r LEFT JOIN counted c ON c.i = r.i
    ORDER BY r.local_start
    """
    per_bucket: dict[dt.datetime, dict[str, int]] = {}
    totals: dict[str, int] = defaultdict(int)
    for local_start, status, count in _rows(sql, period.params()):
        counts = per_bucket.setdefault(local_start, {})
        if status is not None:
            counts[status] = count
            totals[status] += count
    series = [{"start": _start(start), **_by_status_block(counts)} for start, counts in per_bucket.items()]
    return {"series": series, "totals": _by_status_block(dict(totals))}


# --- utilization -------------------------------------------------------------------------------------------------


def report_utilization(period: Period) -> dict:
    """Reserved and used machine-hours over open machine-hours, per bucket, per machine and per machine type.

    Machines are the makerspace's active equipment. Open hours are the opening hours of each local day (closures
    excluded), measured between the two instants so a DST change inside them counts, times the number of machines.
    Reservations (any status but cancelled/rejected) and usage sessions (an open one runs until now) are clipped
    to each bucket.
    """
    params = period.params()
    machines = list(
        Equipment.objects.filter(makerspace=period.makerspace, active=True)
        .order_by("name", "id")
        .values_list("id", "name", "equipment_type")
    )
    params["machines"] = [machine_id for machine_id, _, _ in machines] or [0]
    usage_sql = f"""
    WITH {RANGES},
    spans AS (
        SELECT x.equipment_id, 'reserved' AS measure, x.starts_at AS s0, x.ends_at AS e0
        FROM {_t(Reservation)} x
        WHERE x.equipment_id = ANY(%(machines)s) AND NOT (x.status = ANY(%(not_reserved)s))
          AND x.starts_at < (%(end)s::timestamp AT TIME ZONE %(tz)s)
          AND x.ends_at > (%(start)s::timestamp AT TIME ZONE %(tz)s)
        UNION ALL
        SELECT u.equipment_id, 'used', u.started_at, COALESCE(u.ended_at, now())
        FROM {_t(UsageSession)} u
        WHERE u.equipment_id = ANY(%(machines)s)
          AND u.started_at < (%(end)s::timestamp AT TIME ZONE %(tz)s)
          AND COALESCE(u.ended_at, now()) > (%(start)s::timestamp AT TIME ZONE %(tz)s)
    ),
    located AS NOT MATERIALIZED (
        SELECT spans.*, {_bucket_of("s0")} AS first_i, {_bucket_of("e0")} AS last_i FROM spans
    ),
    parts AS (
        -- Most rows lie inside one bucket of the period: counted whole.
        SELECT first_i AS i, equipment_id, measure, EXTRACT(EPOCH FROM e0 - s0) AS seconds
        FROM located
        WHERE first_i = last_i AND first_i BETWEEN 1 AND (SELECT n FROM bounds)
        UNION ALL
        -- The others are split over the buckets they overlap and clipped to each.
        SELECT r.i, l.equipment_id, l.measure, EXTRACT(EPOCH FROM LEAST(l.e0, r.e) - GREATEST(l.s0, r.s))
        FROM located l
        CROSS JOIN LATERAL generate_series(GREATEST(l.first_i, 1), LEAST(l.last_i, (SELECT n FROM bounds))) AS g
        JOIN ranges r ON r.i = g
        WHERE l.first_i <> l.last_i AND LEAST(l.e0, r.e) > GREATEST(l.s0, r.s)
    )
    -- Per bucket (all machines) and per machine (whole period): two small groupings in one pass.
    SELECT i, equipment_id, measure, SUM(seconds)
    FROM parts
    GROUP BY GROUPING SETS ((i, measure), (equipment_id, measure))
    """
    open_sql = f"""
    WITH {RANGES},
    days AS (
        SELECT d::date AS day FROM generate_series(%(first_day)s::date, %(last_day)s::date, interval '1 day') AS d
        WHERE NOT EXISTS (
            SELECT 1 FROM {_t(Closure)} c
            WHERE c.makerspace_id = %(space)s AND d::date BETWEEN c.starts_on AND c.ends_on
        )
    ),
    open_days AS (
        SELECT days.day,
               SUM(EXTRACT(EPOCH FROM ((days.day + h.closes) AT TIME ZONE %(tz)s)
                                    - ((days.day + h.opens) AT TIME ZONE %(tz)s))) AS seconds
        FROM days
        JOIN {_t(OpeningHours)} h ON h.makerspace_id = %(space)s AND h.weekday = EXTRACT(ISODOW FROM days.day) - 1
        GROUP BY days.day
    )
    SELECT r.i, r.local_start, COALESCE(SUM(o.seconds), 0)
    FROM ranges r
    LEFT JOIN open_days o ON o.day >= r.local_start::date AND o.day < r.local_end::date
    GROUP BY r.i, r.local_start
    ORDER BY r.i
    """
    open_rows = _rows(open_sql, params)
    open_per_bucket = {start: seconds for _, start, seconds in open_rows}
    start_of = {i: start for i, start, _ in open_rows}
    measured: dict[tuple[dt.datetime, str], float] = defaultdict(float)
    per_machine: dict[tuple[int, str], float] = defaultdict(float)
    for index, machine_id, measure, seconds in _rows(usage_sql, params):
        if index is not None:
            measured[(start_of[index], measure)] += float(seconds or 0)
        else:
            per_machine[(machine_id, measure)] += float(seconds or 0)

    count = len(machines)

    def block(reserved: float, used: float, open_seconds: float) -> dict:
        return {
            "reserved_hours": _hours(reserved),
            "used_hours": _hours(used),
            "open_hours": _hours(open_seconds),
            "utilization": _ratio(reserved, open_seconds),
        }

    series = [
        {
            "start": _start(start),
            **block(measured[(start, "reserved")], measured[(start, "used")], float(seconds) * count),
        }
        for start, seconds in open_per_bucket.items()
    ]
    space_open = float(sum(open_per_bucket.values()))
    by_equipment = [
        {
            "equipment": machine_id,
            "name": name,
            "type": kind,
            **block(per_machine[(machine_id, "reserved")], per_machine[(machine_id, "used")], space_open),
        }
        for machine_id, name, kind in machines
    ]
    by_type: dict[str, dict] = {}
    for machine_id, _, kind in machines:
        entry = by_type.setdefault(kind, {"type": kind, "machines": 0, "reserved": 0.0, "used": 0.0})
        entry["machines"] += 1
        entry["reserved"] += per_machine[(machine_id, "reserved")]
        entry["used"] += per_machine[(machine_id, "used")]
    total_reserved = sum(v for (_, measure), v in per_machine.items() if measure == "reserved")
    total_used = sum(v for (_, measure), v in per_machine.items() if measure == "used")
    totals = {
        **block(total_reserved, total_used, space_open * count),
        "machines": count,
        "by_equipment": by_equipment,
        "by_type": [
            {
                "type": entry["type"],
                "machines": entry["machines"],
                **block(entry["reserved"], entry["used"], space_open * entry["machines"]),
            }
            for entry in sorted(by_type.values(), key=lambda e: e["type"])
        ],
    }
    return {"series": series, "totals": totals}


# --- peak hours --------------------------------------------------------------------------------------------------


def report_peak_hours(period: Period) -> dict:
    """Reservations (not cancelled/rejected) by local weekday × start hour, plus their count per bucket."""
    params = period.params()
    series_sql = f"""
    WITH {RANGES},
    counted AS (
        SELECT {_bucket_of("x.starts_at")} AS i, COUNT(*) AS n
        FROM {_t(Reservation)} x
        JOIN {_t(Equipment)} q ON q.id = x.equipment_id AND q.makerspace_id = %(space)s
        WHERE {IN_PERIOD.format(column="x.starts_at")} AND NOT (x.status = ANY(%(not_reserved)s))
        GROUP BY 1
    )
    SELECT r.local_start, COALESCE(c.n, 0)
    FROM ranges r LEFT JOIN counted c ON c.i = r.i
    ORDER BY r.local_start
    """
    # Counted per UTC quarter-hour first (no time-zone arithmetic per row), then each quarter-hour is placed in its
    # local weekday and hour: every UTC offset in use is a multiple of 15 minutes, so a quarter-hour never straddles
    # two local hours.
    matrix_sql = f"""
    WITH slots AS (
        SELECT date_bin('15 minutes', x.starts_at, TIMESTAMPTZ '2000-01-01 00:00+00') AS slot, COUNT(*) AS n
        FROM {_t(Reservation)} x
        JOIN {_t(Equipment)} q ON q.id = x.equipment_id AND q.makerspace_id = %(space)s
        WHERE {IN_PERIOD.format(column="x.starts_at")} AND NOT (x.status = ANY(%(not_reserved)s))
        GROUP BY 1
    ),
    placed AS (SELECT slot AT TIME ZONE %(tz)s AS local_at, n FROM slots)
    SELECT EXTRACT(ISODOW FROM local_at)::int - 1, EXTRACT(HOUR FROM local_at)::int, SUM(n)::int
    FROM placed
    GROUP BY 1, 2
    """
    series = [{"start": _start(start), "reservations": count} for start, count in _rows(series_sql, params)]
    matrix = [[0] * 24 for _ in WEEKDAYS]
    for weekday, hour, count in _rows(matrix_sql, params):
        matrix[weekday][hour] = count
    peak = max(
        ({"weekday": WEEKDAYS[d], "hour": h, "reservations": matrix[d][h]} for d in range(7) for h in range(24)),
        key=lambda cell: cell["reservations"],
    )
    return {
        "series": series,
        "totals": {
            "reservations": sum(map(sum, matrix)),
            "weekdays": list(WEEKDAYS),
            "matrix": matrix,
            "peak": peak if peak["reservations"] else None,
        },
    }


# --- members -----------------------------------------------------------------------------------------------------


def report_members(period: Period) -> dict:
    """New (first became active), churned (left active) and active (at the bucket's end) members per bucket.

    Active counts are a running sum of +1/-1 changes: a member's joining (+1 unless a status change before it left
    them inactive) and each status change after it (entering or leaving active, judged against the status the
    previous change set). The sum of the changes before the period is the count at its start.
    """
    params = period.params()
    sql = f"""
    WITH {RANGES},
    members AS (SELECT id, joined_at FROM {_t(Member)} WHERE makerspace_id = %(space)s AND joined_at IS NOT NULL),
    changes AS (
        SELECT ev.member_id, ev.created_at, ev.from_status, ev.to_status,
               LAG(ev.to_status) OVER (PARTITION BY ev.member_id ORDER BY ev.created_at, ev.id) AS previous
        FROM {_t(MemberEvent)} ev JOIN members m ON m.id = ev.member_id
        WHERE ev.to_status <> '' AND ev.to_status <> ev.from_status
    ),
    deltas AS (
        SELECT m.joined_at AS at,
               CASE WHEN COALESCE((
                   SELECT c.to_status FROM changes c WHERE c.member_id = m.id AND c.created_at < m.joined_at
                   ORDER BY c.created_at DESC LIMIT 1
               ), 'active') = 'active' THEN 1 ELSE 0 END AS delta
        FROM members m
        UNION ALL
        SELECT c.created_at,
               (CASE WHEN c.to_status = 'active' THEN 1 ELSE 0 END)
               - (CASE WHEN COALESCE(c.previous, 'active') = 'active' THEN 1 ELSE 0 END)
        FROM changes c JOIN members m ON m.id = c.member_id
        WHERE c.created_at >= m.joined_at
    ),
    base AS (
        SELECT COALESCE(SUM(delta), 0) AS active
        FROM deltas WHERE at < (%(start)s::timestamp AT TIME ZONE %(tz)s)
    ),
    moved AS (
        SELECT {_bucket_of("at")} AS i, SUM(delta) AS delta
        FROM deltas WHERE {IN_PERIOD.format(column="at")}
        GROUP BY 1
    ),
    joined AS (
        SELECT {_bucket_of("joined_at")} AS i, COUNT(*) AS n
        FROM members WHERE {IN_PERIOD.format(column="joined_at")}
        GROUP BY 1
    ),
    churned AS (
        SELECT {_bucket_of("ev.created_at")} AS i, COUNT(*) AS n
        FROM {_t(MemberEvent)} ev JOIN {_t(Member)} m ON m.id = ev.member_id AND m.makerspace_id = %(space)s
        WHERE ev.from_status = 'active' AND ev.to_status NOT IN ('active', '')
          AND {IN_PERIOD.format(column="ev.created_at")}
        GROUP BY 1
    )
    SELECT r.local_start, COALESCE(j.n, 0), COALESCE(c.n, 0),
           (SELECT active FROM base) + SUM(COALESCE(d.delta, 0)) OVER (ORDER BY r.local_start),
           (SELECT active FROM base)
    FROM ranges r
    LEFT JOIN joined j ON j.i = r.i
    LEFT JOIN churned c ON c.i = r.i
    LEFT JOIN moved d ON d.i = r.i
    ORDER BY r.local_start
    """
    rows = _rows(sql, params)
    series = [
        {"start": _start(start), "new": new, "churned": churned, "active": int(active)}
        for start, new, churned, active, _ in rows
    ]
    active_at_start = int(rows[0][4]) if rows else 0
    return {
        "series": series,
        "totals": {
            "new": sum(row["new"] for row in series),
            "churned": sum(row["churned"] for row in series),
            "active_at_start": active_at_start,
            "active_at_end": series[-1]["active"] if series else active_at_start,
        },
    }


# --- jobs --------------------------------------------------------------------------------------------------------

JOB_MOMENTS = ("received", "completed", "shipped", "rejected", "cancelled")


def _turnaround(hours) -> float | None:
    return None if hours is None else round(float(hours), 2)


def report_jobs(period: Period) -> dict:
    """Service job throughput and turnaround per bucket.

    Each job counts in the bucket of each moment it reached: ``received``, ``completed``, ``shipped``, ``rejected``,
    ``cancelled`` (a job received in March and completed in April counts once in each). Turnaround is the hours
    from receipt to completion of the jobs completed in the bucket: median and mean (null when none completed).
    """
    # One pass over the space's jobs, unpivoted into (moment, at, hours) rows.
    moments = ", ".join(
        f"('{moment}', j.{moment}_at, "
        + ("EXTRACT(EPOCH FROM j.completed_at - j.received_at) / 3600.0" if moment == "completed" else "NULL::float")
        + ")"
        for moment in JOB_MOMENTS
    )
    sql = f"""
    WITH {RANGES},
    moments AS (
        SELECT m.moment, m.at, m.hours
        FROM {_t(ServiceJob)} j
        CROSS JOIN LATERAL (VALUES {moments}) AS m (moment, at, hours)
        -- every moment comes at or after receipt: jobs received after the period cannot count
        WHERE j.makerspace_id = %(space)s AND j.received_at < (%(end)s::timestamp AT TIME ZONE %(tz)s)
          AND {IN_PERIOD.format(column="m.at")}
    ),
    -- Counts hash-aggregate; only the completed rows are sorted, for the median.
    counted AS (
        SELECT {_bucket_of("at")} AS i, moment, COUNT(*) AS n FROM moments GROUP BY 1, 2
    ),
    turnaround AS (
        SELECT {_bucket_of("at")} AS i,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) AS median, AVG(hours) AS mean
        FROM moments WHERE moment = 'completed'
        GROUP BY GROUPING SETS ((1), ())
    )
    SELECT r.local_start, c.moment, c.n, NULL::float, NULL::float FROM ranges r LEFT JOIN counted c ON c.i = r.i
    UNION ALL
    SELECT r.local_start, 'turnaround', NULL, t.median, t.mean FROM ranges r JOIN turnaround t ON t.i = r.i
    UNION ALL
    SELECT NULL, moment, SUM(n), NULL, NULL FROM counted GROUP BY moment
    UNION ALL
    SELECT NULL, 'turnaround', NULL, median, mean FROM turnaround WHERE i IS NULL
    ORDER BY 1 NULLS LAST
    """

    def block() -> dict:
        return {**dict.fromkeys(JOB_MOMENTS, 0), "turnaround_hours_median": None, "turnaround_hours_mean": None}

    per_bucket: dict[dt.datetime, dict] = {}
    totals = block()
    for local_start, moment, count, median, mean in _rows(sql, period.params()):
        row = totals if local_start is None else per_bucket.setdefault(local_start, block())
        if moment == "turnaround":
            row["turnaround_hours_median"], row["turnaround_hours_mean"] = _turnaround(median), _turnaround(mean)
        elif moment is not None:
            row[moment] = int(count)
    series = [{"start": _start(start), **row} for start, row in per_bucket.items()]
    return {"series": series, "totals": totals}


# --- revenue -----------------------------------------------------------------------------------------------------


def _money(value) -> str:
    return f"{Decimal(value or 0):.2f}"


def report_revenue(period: Period) -> dict:
    """Revenue from the transactions ledger: billable records by the bucket they occurred in, per kind (refunds and
    adjustments count negative), and money collected on invoices (payments less refunds, by when booked)."""
    params = period.params()
    billed_sql = f"""
    WITH {RANGES},
    billed AS (
        SELECT {_bucket_of("x.occurred_at")} AS i, x.kind, SUM(x.amount) AS amount
        FROM {_t(BillableRecord)} x
        WHERE x.makerspace_id = %(space)s AND {IN_PERIOD.format(column="x.occurred_at")}
        GROUP BY 1, 2
    ),
    collected AS (
        SELECT {_bucket_of("p.created_at")} AS i,
               SUM(CASE WHEN p.kind = 'refund' THEN -p.amount ELSE p.amount END) AS amount
        FROM {_t(InvoicePayment)} p JOIN {_t(Invoice)} v ON v.id = p.invoice_id AND v.makerspace_id = %(space)s
        WHERE {IN_PERIOD.format(column="p.created_at")}
        GROUP BY 1
    )
    SELECT r.local_start, b.kind, b.amount, c.amount
    FROM ranges r LEFT JOIN billed b ON b.i = r.i LEFT JOIN collected c ON c.i = r.i
    ORDER BY r.local_start, b.kind
    """
    per_bucket: dict[dt.datetime, dict] = {}
    by_kind: dict[str, Decimal] = defaultdict(Decimal)
    for local_start, kind, amount, collected in _rows(billed_sql, params):
        row = per_bucket.setdefault(local_start, {"by_kind": {}, "collected": Decimal(collected or 0)})
        if kind is not None:
            row["by_kind"][kind] = Decimal(amount)
            by_kind[kind] += Decimal(amount)
    series = [
        {
            "start": _start(start),
            "revenue": _money(sum(row["by_kind"].values(), Decimal(0))),
            "by_kind": {kind: _money(amount) for kind, amount in sorted(row["by_kind"].items())},
            "collected": _money(row["collected"]),
        }
        for start, row in per_bucket.items()
    ]
    return {
        "series": series,
        "totals": {
            "revenue": _money(sum(by_kind.values(), Decimal(0))),
            "by_kind": {kind: _money(amount) for kind, amount in sorted(by_kind.items())},
            "collected": _money(sum((row["collected"] for row in per_bucket.values()), Decimal(0))),
            "available": True,
        },
    }


# --- inventory ---------------------------------------------------------------------------------------------------

# Movements that draw stock for use: consumption. Adjustments and stocktakes correct the count (their net change is
# in ``by_kind``, not in consumption); transfers move stock between items.
CONSUMED_KINDS = ("usage", "job", "project", "damage")
RESTOCK_KIND = "restock"


def _quantity(value) -> str:
    return f"{Decimal(value or 0):.3f}"


def report_inventory(period: Period) -> dict:
    """Consumption and restocking from the inventory ledger, per bucket, valued at the items' current unit cost.

    Each movement counts in the bucket it was recorded in. ``consumed_*`` = stock drawn by usage, job, project and
    damage movements (a positive one of those kinds, a return, nets against them); ``restocked_*`` = restock
    movements; ``by_kind`` = the signed net change per kind (negative draws stock). The ledger keeps no cost, so a
    movement's value is its quantity × its item's current ``unit_cost``, rounded to the cent per movement.
    Quantities add up across units (grams and pieces alike): the value is the comparable figure.
    ``stock_value_at_end`` (totals) values every item's quantity at the period's end (now less the movements since)
    at its current cost.
    """
    sql = f"""
    WITH {RANGES},
    moved AS (
        SELECT {_bucket_of("m.created_at")} AS i, m.kind,
               SUM(m.quantity) AS quantity, SUM(ROUND(m.quantity * it.unit_cost, 2)) AS value
        FROM {_t(StockMovement)} m JOIN {_t(InventoryItem)} it ON it.id = m.item_id
        WHERE m.makerspace_id = %(space)s AND {IN_PERIOD.format(column="m.created_at")}
        GROUP BY 1, 2
    ),
    since AS (
        SELECT m.item_id, SUM(m.quantity) AS quantity
        FROM {_t(StockMovement)} m
        WHERE m.makerspace_id = %(space)s AND m.created_at >= (%(end)s::timestamp AT TIME ZONE %(tz)s)
        GROUP BY 1
    )
    SELECT r.local_start, d.kind, d.quantity, d.value FROM ranges r LEFT JOIN moved d ON d.i = r.i
    UNION ALL
    SELECT NULL, NULL, NULL, SUM(ROUND((it.quantity - COALESCE(s.quantity, 0)) * it.unit_cost, 2))
    FROM {_t(InventoryItem)} it LEFT JOIN since s ON s.item_id = it.id
    WHERE it.makerspace_id = %(space)s
    ORDER BY 1 NULLS LAST, 2
    """

    def block() -> dict:
        return {"quantity": {}, "value": {}}

    per_bucket: dict[dt.datetime, dict] = {}
    totals = block()
    stock_value = Decimal(0)
    for local_start, kind, quantity, value in _rows(sql, period.params()):
        if local_start is None:
            stock_value = Decimal(value or 0)
            continue
        row = per_bucket.setdefault(local_start, block())
        if kind is not None:
            for target in (row, totals):
                target["quantity"][kind] = target["quantity"].get(kind, Decimal(0)) + quantity
                target["value"][kind] = target["value"].get(kind, Decimal(0)) + value

    def figures(row: dict) -> dict:
        quantity, value = row["quantity"], row["value"]
        return {
            "consumed_quantity": _quantity(-sum((quantity.get(k, 0) for k in CONSUMED_KINDS), Decimal(0))),
            "consumed_value": _money(-sum((value.get(k, 0) for k in CONSUMED_KINDS), Decimal(0))),
            "restocked_quantity": _quantity(quantity.get(RESTOCK_KIND)),
            "restocked_value": _money(value.get(RESTOCK_KIND)),
            "by_kind": {
                kind: {"quantity": _quantity(quantity[kind]), "value": _money(value[kind])} for kind in sorted(quantity)
            },
        }

    series = [{"start": _start(start), **figures(row)} for start, row in per_bucket.items()]
    return {
        "series": series,
        "totals": {**figures(totals), "stock_value_at_end": _money(stock_value), "available": True},
    }


REPORTS = {
    "utilization": report_utilization,
    "reservations": report_reservations,
    "peak-hours": report_peak_hours,
    "members": report_members,
    "revenue": report_revenue,
    "inventory": report_inventory,
    "jobs": report_jobs,
}


def analytics_report(*, period: Period, report: str) -> dict:
    """``{report, bucket, series, totals}`` of one report over ``period`` (PostgreSQL only)."""
    body = REPORTS[report](period)
    return {
        "report": report,
        "bucket": period.bucket,
        "makerspace": period.makerspace.pk,
        "timezone": period.makerspace.timezone,
        "from": period.date_from.isoformat(),
        "to": period.date_to.isoformat(),
        **body,
    }
