"""Project BOM reads: the lines and their cost totals per state (each line rounded once)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import QuerySet

from makerspace.models import BOMLine, Project
from makrx.money import quantize_money


def bom_line_list(*, project: Project) -> QuerySet[BOMLine]:
    return BOMLine.objects.filter(project=project).select_related("inventory_item").order_by("id")


def bom_totals(*, project: Project) -> list[dict]:
    """Per currency: the cost of the lines in each state and in all (one query)."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for quantity, unit_cost, currency, state in BOMLine.objects.filter(project=project).values_list(
        "quantity", "unit_cost", "currency", "state"
    ):
        cost = quantize_money(quantity * unit_cost)
        totals[currency][state] += cost
        totals[currency]["total"] += cost
    return [
        {"currency": currency, **{key: by_state.get(key, Decimal("0.00")) for key in (*BOMLine.State.values, "total")}}
        for currency, by_state in sorted(totals.items())
    ]
