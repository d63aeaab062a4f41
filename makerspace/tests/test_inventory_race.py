"""Twenty members drawing from one item at once, on separate PostgreSQL connections."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from makerspace.models import InventoryItem, StockMovement
from makerspace.services import inventory as inventory_services
from makerspace.tests.factories import InventoryItemFactory, MakerspaceFactory, MemberFactory
from makrx.errors import ConflictError
from makrx.tests.races import run_concurrently


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_consumers_never_overdraw():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    space = MakerspaceFactory()
    item = InventoryItemFactory(makerspace=space, unit="g", stock=70)
    users = [MemberFactory(makerspace=space).user for _ in range(20)]

    def consume(index: int):
        return inventory_services.movement_record(
            actor=users[index], item=item, kind=StockMovement.Kind.USAGE, quantity="5", reference=f"racer {index}"
        )

    outcomes = run_concurrently(consume, 20)

    written = [outcome for outcome in outcomes if isinstance(outcome, StockMovement)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ConflictError)]
    assert len(written) == 14 and len(refused) == 6, outcomes
    assert {error.code for error in refused} == {"insufficient_stock"}
    item.refresh_from_db()
    ledger = StockMovement.objects.filter(item=item)
    assert item.quantity == 0 == ledger.aggregate(total=Sum("quantity"))["total"]
    assert ledger.filter(kind="usage").count() == 14  # nothing written for a refused draw
    # Each row continues the one before: before/after chain without gaps, never negative.
    chain = list(ledger.order_by("id").values_list("quantity_before", "quantity", "quantity_after"))
    running = Decimal("0")
    for before, delta, after in chain:
        assert before == running and after == before + delta and after >= 0
        running = after
    assert InventoryItem.objects.filter(quantity__lt=0).count() == 0


@pytest.mark.django_db(transaction=True)
def test_opposite_transfers_at_once_neither_deadlock_nor_lose_stock():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    north, south = MakerspaceFactory(), MakerspaceFactory()
    staff = MemberFactory(makerspace=north, role="staff").user
    MemberFactory(makerspace=south, role="staff", user=staff)
    a = InventoryItemFactory(makerspace=north, unit="m", stock=100)
    b = InventoryItemFactory(makerspace=south, unit="m", stock=100)

    def move(index: int):
        source, target = (a, b) if index % 2 else (b, a)
        return inventory_services.movement_transfer(actor=staff, from_item=source, to_item=target, quantity="3")

    outcomes = run_concurrently(move, 12, reraise=True)

    assert len(outcomes) == 12
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.quantity, b.quantity) == (100, 100)
    assert a.quantity + b.quantity == StockMovement.objects.filter(item__in=[a, b]).aggregate(t=Sum("quantity"))["t"]
    assert StockMovement.objects.filter(kind="transfer").count() == 24
