"""Chart.js configurations of the analytics reports (``{report, series, totals}`` as the API answers them).

Built here, in Python, as plain JSON: the page embeds them with ``json_script`` and one static script draws them
(the Content-Security-Policy allows no inline script), so what is drawn is testable without a browser.
"""

from __future__ import annotations

PALETTE = ("#e8590c", "#1c7ed6", "#2f9e44", "#f59f00", "#7048e8", "#d6336c", "#0ca678", "#868e96")
STATUS_COLOURS = {
    "pending": "#f59f00",
    "confirmed": "#1c7ed6",
    "checked_in": "#0ca678",
    "completed": "#2f9e44",
    "cancelled": "#868e96",
    "no_show": "#e03131",
    "rejected": "#a61e4d",
}
REPORT_TITLES = {
    "utilization": "Utilization",
    "reservations": "Reservations",
    "peak-hours": "Peak hours",
    "members": "Members",
    "revenue": "Revenue",
    "inventory": "Inventory consumption",
    "jobs": "Jobs throughput",
}


def _options(*, stacked: bool = False, y_title: str = "", percent_axis: bool = False, horizontal: bool = False):
    scales = {
        "x": {"stacked": stacked, "grid": {"display": False}},
        "y": {"stacked": stacked, "beginAtZero": True, "title": {"display": bool(y_title), "text": y_title}},
    }
    if percent_axis:
        scales["percent"] = {
            "position": "right",
            "beginAtZero": True,
            "grid": {"drawOnChartArea": False},
            "title": {"display": True, "text": "utilization %"},
        }
    options = {
        "responsive": True,
        "maintainAspectRatio": False,
        "animation": False,
        "interaction": {"mode": "index", "intersect": False},
        "plugins": {"legend": {"position": "bottom"}},
        "scales": scales,
    }
    if horizontal:
        options["indexAxis"] = "y"
    return options


def _bar(label: str, data: list, colour: str, **extra) -> dict:
    return {"type": "bar", "label": label, "data": data, "backgroundColor": colour, "borderColor": colour, **extra}


def _line(label: str, data: list, colour: str, **extra) -> dict:
    return {
        "type": "line",
        "label": label,
        "data": data,
        "borderColor": colour,
        "backgroundColor": colour,
        "tension": 0.25,
        "cubicInterpolationMode": "monotone",
        "pointRadius": 2,
        **extra,
    }


def _chart(report: str, index: int, title: str, labels: list, datasets: list, options: dict) -> dict:
    return {
        "id": f"chart-{report}-{index}",
        "report": report,
        "title": title,
        "config": {"type": "bar", "data": {"labels": labels, "datasets": datasets}, "options": options},
    }


def _percent(value) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


def _utilization(result: dict) -> list[dict]:
    series = result["series"]
    labels = [row["start"] for row in series]
    charts = [
        _chart(
            "utilization",
            1,
            "Machine-hours per bucket",
            labels,
            [
                _bar("Reserved hours", [row["reserved_hours"] for row in series], PALETTE[1]),
                _bar("Used hours", [row["used_hours"] for row in series], PALETTE[2]),
                _line("Utilization %", [_percent(row["utilization"]) for row in series], PALETTE[0], yAxisID="percent"),
            ],
            _options(y_title="hours", percent_axis=True),
        )
    ]
    machines = result["totals"].get("by_equipment", [])
    if machines:
        charts.append(
            _chart(
                "utilization",
                2,
                "Utilization by machine over the period",
                [machine["name"] for machine in machines],
                [_bar("Utilization %", [_percent(m["utilization"]) or 0 for m in machines], PALETTE[0])],
                _options(horizontal=True),
            )
        )
    return charts


def _reservations(result: dict) -> list[dict]:
    series = result["series"]
    statuses = sorted({status for row in series for status in row["by_status"]})
    datasets = [
        _bar(
            status.replace("_", " ").capitalize(),
            [row["by_status"].get(status, 0) for row in series],
            STATUS_COLOURS.get(status, PALETTE[index % len(PALETTE)]),
            stack="status",
        )
        for index, status in enumerate(statuses)
    ]
    if not datasets:
        datasets = [_bar("Reservations", [row["total"] for row in series], PALETTE[1])]
    return [
        _chart(
            "reservations",
            1,
            "Reservations by status",
            [row["start"] for row in series],
            datasets,
            _options(stacked=True, y_title="reservations"),
        )
    ]


def _peak_hours(result: dict) -> list[dict]:
    totals = result["totals"]
    hours = [f"{hour:02d}:00" for hour in range(24)]
    datasets = [
        _bar(weekday, counts, PALETTE[index % len(PALETTE)], stack="weekday")
        for index, (weekday, counts) in enumerate(zip(totals["weekdays"], totals["matrix"], strict=True))
    ]
    return [
        _chart(
            "peak-hours",
            1,
            "Bookings by local start hour and weekday",
            hours,
            datasets,
            _options(stacked=True, y_title="reservations"),
        )
    ]


def _members(result: dict) -> list[dict]:
    series = result["series"]
    return [
        _chart(
            "members",
            1,
            "Members: active, new and churned",
            [row["start"] for row in series],
            [
                _line("Active", [row["active"] for row in series], PALETTE[1]),
                _bar("New", [row["new"] for row in series], PALETTE[2]),
                _bar("Churned", [-row["churned"] for row in series], PALETTE[5]),
            ],
            _options(y_title="members"),
        )
    ]


CONSUMED_KINDS = ("usage", "job", "project", "damage")


def _inventory(result: dict) -> list[dict]:
    """Value drawn and restocked per bucket, and the value drawn by kind (stacked): figures come as decimal text."""
    series = result["series"]
    labels = [row["start"] for row in series]
    kinds = [kind for kind in CONSUMED_KINDS if any(kind in row["by_kind"] for row in series)]
    by_kind = [
        _bar(
            kind.capitalize(),
            [-float(row["by_kind"].get(kind, {}).get("value") or 0) for row in series],
            PALETTE[index % len(PALETTE)],
            stack="kind",
        )
        for index, kind in enumerate(kinds)
    ]
    charts = [
        _chart(
            "inventory",
            1,
            "Stock value consumed and restocked",
            labels,
            [
                _bar("Consumed value", [float(row["consumed_value"]) for row in series], PALETTE[0]),
                _bar("Restocked value", [float(row["restocked_value"]) for row in series], PALETTE[2]),
            ],
            _options(y_title="value"),
        )
    ]
    if by_kind:
        charts.append(
            _chart("inventory", 2, "Value consumed by kind", labels, by_kind, _options(stacked=True, y_title="value"))
        )
    return charts


def _generic(report: str, result: dict) -> list[dict]:
    """Any other report with a series: one line per numeric figure (revenue, jobs)."""
    series = result["series"]
    if not series:
        return []
    keys = [key for key, value in series[0].items() if key != "start" and isinstance(value, int | float | str)]
    datasets = []
    for index, key in enumerate(keys):
        try:
            values = [float(row.get(key) or 0) for row in series]
        except (TypeError, ValueError):
            continue
        datasets.append(_line(key.replace("_", " ").capitalize(), values, PALETTE[index % len(PALETTE)]))
    if not datasets:
        return []
    return [
        _chart(report, 1, REPORT_TITLES.get(report, report), [row["start"] for row in series], datasets, _options())
    ]


BUILDERS = {
    "utilization": _utilization,
    "reservations": _reservations,
    "peak-hours": _peak_hours,
    "members": _members,
    "inventory": _inventory,
}


def charts_for(report: str, result: dict) -> list[dict]:
    """The charts of one report's result (none for a report whose data source is not there yet)."""
    if result.get("totals", {}).get("available") is False:
        return []
    builder = BUILDERS.get(report)
    return builder(result) if builder else _generic(report, result)


def _pct(value) -> str:
    return "–" if value is None else f"{float(value) * 100:.1f} %"


def headline_figures(report: str, result: dict) -> list[tuple[str, str]]:
    """The totals staff read first, as (label, text) pairs."""
    totals = result.get("totals", {})
    if report == "utilization":
        return [
            ("Utilization", _pct(totals.get("utilization"))),
            ("Reserved", f"{totals.get('reserved_hours', 0)} h"),
            ("Used", f"{totals.get('used_hours', 0)} h"),
            ("Open", f"{totals.get('open_hours', 0)} h"),
            ("Machines", str(totals.get("machines", 0))),
        ]
    if report == "reservations":
        by_status = [
            (status.replace("_", " ").capitalize(), str(count)) for status, count in totals.get("by_status", {}).items()
        ]
        return [("Reservations", str(totals.get("total", 0))), ("No-show rate", _pct(totals.get("no_show_rate")))] + (
            by_status
        )
    if report == "peak-hours":
        peak = totals.get("peak")
        busiest = f"{peak['weekday']} {peak['hour']:02d}:00 ({peak['reservations']})" if peak else "–"
        return [("Reservations", str(totals.get("reservations", 0))), ("Busiest hour", busiest)]
    if report == "members":
        return [
            ("Active at start", str(totals.get("active_at_start", 0))),
            ("Active at end", str(totals.get("active_at_end", 0))),
            ("New", str(totals.get("new", 0))),
            ("Churned", str(totals.get("churned", 0))),
        ]
    if report == "inventory":
        return [
            ("Consumed value", str(totals.get("consumed_value", "0.00"))),
            ("Consumed quantity", str(totals.get("consumed_quantity", "0.000"))),
            ("Restocked value", str(totals.get("restocked_value", "0.00"))),
            ("Stock value at end", str(totals.get("stock_value_at_end", "0.00"))),
        ]
    return [
        (name.replace("_", " ").capitalize(), "–" if value is None else str(value))
        for name, value in totals.items()
        if name != "available" and not isinstance(value, dict | list)
    ]
