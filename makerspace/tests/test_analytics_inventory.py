"""The inventory analytics report equals a brute-force Python computation on a generated ledger, for every bucket.

Reuses the period, buckets and helpers of ``test_analytics`` (Europe/Berlin, 2026-02-10 … 2026-05-20, across the
spring DST change, nothing in the period after 2026-04-20 so the tail buckets are empty). Movements of another
makerspace are generated too and must never count; movements after the period change ``stock_value_at_end``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from makerspace.models import InventoryItem, StockMovement
from makerspace.tests.factories import InventoryItemFactory, MakerspaceFactory
from makerspace.tests.test_analytics import DATA_END, FIRST, LAST, buckets, fetch, local

pytestmark = pytest.mark.django_db
CONSUMED = ("usage", "job", "project", "damage")
KINDS = ["restock", "usage", "usage", "job", "project", "damage", "adjustment", "stocktake", "transfer"]
CENT = Decimal("0.01")
MILLI = Decimal("0.001")


def _ledger(rng: random.Random, item: InventoryItem, moments: list[dt.datetime]) -> list[StockMovement]:
    """Movements of one item at the given instants, each adding up (before + quantity = after, never negative)."""
    rows, on_hand = [], Decimal(0)
    for at in sorted(moments):
        kind = "restock" if on_hand < 5 else rng.choice(KINDS)
        amount = (Decimal(rng.randint(1, 40000)) * MILLI).quantize(MILLI)
        if kind == "restock":
            delta = amount
        elif kind in CONSUMED:
            delta = -min(amount, on_hand)
        elif kind == "stocktake":
            delta = max(Decimal(0), on_hand + rng.choice([-1, 0, 1]) * amount / 10).quantize(MILLI) - on_hand
        else:  # adjustment, transfer: either way
            delta = rng.choice([-1, 1]) * min(amount, on_hand)
        if delta == 0 and kind != "stocktake":
            continue
        rows.append(
            StockMovement(
                item=item,
                makerspace_id=item.makerspace_id,
                kind=kind,
                quantity=delta,
                quantity_before=on_hand,
                quantity_after=on_hand + delta,
                counted_quantity=on_hand + delta if kind == "stocktake" else None,
                created_at=at,
            )
        )
        on_hand += delta
    InventoryItem.objects.filter(pk=item.pk).update(quantity=on_hand)
    return rows


@pytest.fixture
def inventory_world():
    rng = random.Random(1313)
    space = MakerspaceFactory(timezone="Europe/Berlin", with_hours=False)
    other = MakerspaceFactory(timezone="UTC")
    start = local(FIRST) - dt.timedelta(days=6)
    span = int((DATA_END - start).total_seconds())
    after_period = local(LAST + dt.timedelta(days=1))
    rows = []
    for index in range(12):
        target = space if index < 9 else other
        item = InventoryItemFactory(
            makerspace=target,
            unit=rng.choice([InventoryItem.Unit.PIECE, InventoryItem.Unit.GRAM, InventoryItem.Unit.METRE]),
            unit_cost=Decimal(rng.randint(1, 99999)) / 100,
            active=index != 3,  # a retired item's stock and movements still count
        )
        moments = [start + dt.timedelta(seconds=rng.randint(0, span)) for _ in range(120)]
        if index == 0:  # either side of the skipped hour on the DST day, and at a local midnight
            moments += [local(dt.date(2026, 3, 29), dt.time(1, 59)), local(dt.date(2026, 3, 29), dt.time(3, 0))]
            moments += [local(dt.date(2026, 3, 30))] * 2
        moments += [after_period + dt.timedelta(hours=rng.randint(0, 24 * 20)) for _ in range(5)]
        rows += _ledger(rng, item, moments)
    InventoryItemFactory(makerspace=space)  # never moved: no value, no rows
    StockMovement.objects.bulk_create(rows)
    return {"space": space}


@pytest.fixture
def staff_client(client_for):
    return client_for(roles=["admin"])


def _value(movement: StockMovement) -> Decimal:
    return (movement.quantity * movement.item.unit_cost).quantize(CENT, rounding=ROUND_HALF_UP)


def _figures(movements: list[StockMovement]) -> dict:
    quantity: dict[str, Decimal] = {}
    value: dict[str, Decimal] = {}
    for m in movements:
        quantity[m.kind] = quantity.get(m.kind, Decimal(0)) + m.quantity
        value[m.kind] = value.get(m.kind, Decimal(0)) + _value(m)
    return {
        "consumed_quantity": f"{-sum((quantity.get(k, 0) for k in CONSUMED), Decimal(0)):.3f}",
        "consumed_value": f"{-sum((value.get(k, 0) for k in CONSUMED), Decimal(0)):.2f}",
        "restocked_quantity": f"{quantity.get('restock', Decimal(0)):.3f}",
        "restocked_value": f"{value.get('restock', Decimal(0)):.2f}",
        "by_kind": {k: {"quantity": f"{quantity[k]:.3f}", "value": f"{value[k]:.2f}"} for k in sorted(quantity)},
    }


def expected_inventory(space, bucket: str):
    movements = list(StockMovement.objects.filter(makerspace=space).select_related("item"))
    periods = buckets(bucket)
    series = [
        {"start": day.isoformat(), **_figures([m for m in movements if s <= m.created_at < e])} for day, s, e in periods
    ]
    period_end = periods[-1][2]
    totals = _figures([m for m in movements if periods[0][1] <= m.created_at < period_end])
    at_end: dict[int, Decimal] = {}
    for m in movements:
        if m.created_at < period_end:
            at_end[m.item_id] = at_end.get(m.item_id, Decimal(0)) + m.quantity
    items = {item.pk: item for item in InventoryItem.objects.filter(makerspace=space)}
    totals["stock_value_at_end"] = (
        f"{sum(((q * items[i].unit_cost).quantize(CENT, rounding=ROUND_HALF_UP) for i, q in at_end.items()), Decimal(0)):.2f}"
    )
    return series, totals


@pytest.mark.parametrize("bucket", ["day", "week", "month"])
def test_inventory_report_matches_brute_force(staff_client, inventory_world, bucket):
    body = fetch(staff_client, inventory_world["space"], "inventory", bucket).json()
    series, totals = expected_inventory(inventory_world["space"], bucket)

    assert body["report"] == "inventory" and body["bucket"] == bucket
    assert body["series"] == series
    assert {key: body["totals"][key] for key in totals} == totals
    assert body["totals"]["available"] is True
    # not trivially empty: every kind moved, something was consumed and restocked
    assert set(totals["by_kind"]) == set(KINDS)
    assert Decimal(totals["consumed_value"]) > 0 and Decimal(totals["restocked_value"]) > 0
    assert Decimal(totals["stock_value_at_end"]) > 0
    empty = {"consumed_quantity": "0.000", "consumed_value": "0.00", "restocked_quantity": "0.000"}
    assert {key: series[-1][key] for key in empty} == empty and series[-1]["by_kind"] == {}  # the empty tail


def test_the_dst_day_holds_its_own_movements(staff_client, inventory_world):
    body = fetch(staff_client, inventory_world["space"], "inventory", "day").json()
    days = {row["start"]: row for row in body["series"]}
    on_dst_day = StockMovement.objects.filter(
        makerspace=inventory_world["space"],
        created_at__gte=local(dt.date(2026, 3, 29)),
        created_at__lt=local(dt.date(2026, 3, 30)),
    )
    assert on_dst_day.count() >= 2  # 01:59 and 03:00 local: both on the 29th, 23 hours long
    net = sum((m.quantity for m in on_dst_day), Decimal(0))
    assert sum(Decimal(k["quantity"]) for k in days["2026-03-29"]["by_kind"].values()) == net


def test_stock_value_now_when_the_period_ends_today(staff_client, inventory_world):
    space = inventory_world["space"]
    today = dt.datetime.now(space.tzinfo).date()
    body = staff_client.get(
        "/api/v1/makerspace/analytics/inventory/",
        {"makerspace": space.pk, "from": (today - dt.timedelta(days=10)).isoformat(), "bucket": "week"},
    ).json()
    now_value = sum(
        ((i.quantity * i.unit_cost).quantize(CENT, rounding=ROUND_HALF_UP) for i in space.inventory_items.all()),
        Decimal(0),
    )
    assert body["totals"]["stock_value_at_end"] == f"{now_value:.2f}"
    assert body["totals"]["consumed_quantity"] == "0.000" and all(row["by_kind"] == {} for row in body["series"])


def test_inventory_csv_has_a_row_per_bucket(staff_client, inventory_world):
    response = fetch(staff_client, inventory_world["space"], "inventory", "month", format="csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    series, _ = expected_inventory(inventory_world["space"], "month")
    assert [row["start"] for row in rows] == [row["start"] for row in series]
    assert [row["consumed_value"] for row in rows] == [row["consumed_value"] for row in series]
    # a kind absent from a bucket reads 0 there
    assert [row["by_kind.restock.quantity"] for row in rows] == [
        row["by_kind"].get("restock", {}).get("quantity", "0") for row in series
    ]


@pytest.mark.parametrize("bucket", ["day", "month"])
def test_inventory_report_query_count_is_fixed(staff_client, inventory_world, bucket, django_assert_num_queries):
    fetch(staff_client, inventory_world["space"], "inventory", bucket)  # warm the session and user
    # the makerspace, then one savepoint holding SET LOCAL ×2 and the report: the same for 100 days or 4 months
    with django_assert_num_queries(6) as captured:
        fetch(staff_client, inventory_world["space"], "inventory", bucket)
    report_queries = [q["sql"] for q in captured.captured_queries if "makerspace_stockmovement" in q["sql"]]
    assert len(report_queries) == 1
