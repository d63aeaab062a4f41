"""Low stock: staff told once per crossing of the reorder level; the grouped list and the quick-reorder lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction

from makerspace.models import StockMovement
from makerspace.selectors import inventory as inventory_selectors
from makerspace.services import inventory as inventory_services
from makerspace.tasks import notify_low_stock_task
from makerspace.tests.factories import InventoryItemFactory, MakerspaceFactory, MemberFactory
from makrx.auth.scoping import SYSTEM

pytestmark = pytest.mark.django_db
Kind = StockMovement.Kind


def draw(item, quantity):
    return inventory_services.movement_record(actor=SYSTEM, item=item, kind=Kind.USAGE, quantity=quantity)


def restock(item, quantity):
    return inventory_services.movement_record(actor=SYSTEM, item=item, kind=Kind.RESTOCK, quantity=quantity)


def test_staff_are_told_once_per_crossing(django_capture_on_commit_callbacks):
    space = MakerspaceFactory(name="North Lab")
    staff = MemberFactory(makerspace=space, role="staff").user
    manager = MemberFactory(makerspace=space, role="manager").user
    MemberFactory(makerspace=space)  # a plain member is not told
    MemberFactory(role="staff")  # nor staff of another space
    item = InventoryItemFactory(makerspace=space, sku="PLA-RED", reorder_level=5, stock=8)

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return notify_low_stock_task.apply().get()

    assert run() == 0 and mail.outbox == []
    draw(item, "3")  # 5: at the level
    assert run() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([staff.email, manager.email])
    assert "PLA-RED" in mail.outbox[0].body and "North Lab" in mail.outbox[0].subject
    draw(item, "2")  # lower still: no new message
    assert run() == 0 and run() == 0
    assert len(mail.outbox) == 2
    restock(item, "1")  # 4: still at or below 5, not re-armed
    assert run() == 0 and len(mail.outbox) == 2
    restock(item, "10")  # 14: above, re-armed
    item.refresh_from_db()
    assert item.low_stock_notified_at is None
    assert run() == 0
    draw(item, "10")  # 4: crossed again
    assert run() == 1 and len(mail.outbox) == 4


def test_a_run_that_rolls_back_leaves_the_item_unmarked_and_sends_nothing(django_capture_on_commit_callbacks):
    space = MakerspaceFactory()
    MemberFactory(makerspace=space, role="staff")
    item = InventoryItemFactory(makerspace=space, reorder_level=5, stock=1)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            assert inventory_services.low_stock_notify_due() == 1
            raise RuntimeError("worker lost")
    item.refresh_from_db()
    assert item.low_stock_notified_at is None and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert inventory_services.low_stock_notify_due() == 1
    assert len(mail.outbox) == 1


def test_low_stock_list_is_grouped_by_supplier_with_suggested_quantities(make_user):
    space = MakerspaceFactory()
    staff = MemberFactory(makerspace=space, role="staff").user
    InventoryItemFactory(
        makerspace=space, sku="A", supplier="store", store_sku="ST-1", reorder_level=4, stock=1, unit_cost="2.00"
    )
    InventoryItemFactory(
        makerspace=space, sku="B", supplier="store", store_sku="", reorder_level=10, stock=10, unit_cost="1.25"
    )
    InventoryItemFactory(
        makerspace=space,
        sku="C",
        supplier="external",
        supplier_name="Acme",
        reorder_level=2,
        reorder_quantity=7,
        stock=0,
    )
    InventoryItemFactory(makerspace=space, sku="D", reorder_level=2, stock=3)  # above: not listed
    InventoryItemFactory(makerspace=space, sku="E", reorder_level=0, stock=0)  # no level: not listed
    InventoryItemFactory(makerspace=space, sku="F", reorder_level=5, stock=1, active=False)  # inactive
    InventoryItemFactory(reorder_level=5, stock=1)  # another space

    groups = inventory_selectors.low_stock_grouped(user=staff)

    by_supplier = {(g["supplier"], g["supplier_name"]): g for g in groups}
    assert set(by_supplier) == {("store", ""), ("external", "Acme")}
    store = by_supplier[("store", "")]
    assert [(i["sku"], i["suggested_reorder_quantity"]) for i in store["items"]] == [
        ("A", Decimal("10")),
        ("B", Decimal("20")),
    ]
    assert store["estimated_total"] == Decimal("45.00")  # 10 × 2.00 + 20 × 1.25
    assert [(i["sku"], i["suggested_reorder_quantity"]) for i in by_supplier[("external", "Acme")]["items"]] == [
        ("C", Decimal("7"))
    ]
    lines = inventory_selectors.store_reorder_lines(user=staff, makerspace_id=space.pk)
    assert [(line["sku"], line["quantity"]) for line in lines] == [("ST-1", 10)]
    member = MemberFactory(makerspace=space).user
    assert inventory_selectors.low_stock_grouped(user=member) == []
