"""The stock ledger: signs per kind, the invariant (quantity = ledger sum, never negative), access levels,
stocktake, transfers all-or-nothing, append-only rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from makerspace.models import InventoryItem, StockMovement
from makerspace.services import inventory as inventory_services
from makerspace.tests.factories import InventoryItemFactory, MakerspaceFactory, MemberFactory
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db
Kind = StockMovement.Kind


def ledger_sum(item) -> Decimal:
    return StockMovement.objects.filter(item=item).aggregate(total=Sum("quantity"))["total"] or Decimal("0")


@pytest.fixture
def space():
    return MakerspaceFactory()


@pytest.fixture
def staff(space):
    return MemberFactory(makerspace=space, role="staff").user


@pytest.fixture
def member(space):
    return MemberFactory(makerspace=space).user


def test_each_kind_moves_stock_with_its_sign_and_keeps_before_and_after(space, staff):
    item = InventoryItemFactory(makerspace=space, unit="g", stock=1000)
    cases = [
        (Kind.RESTOCK, "250", Decimal("250")),
        (Kind.USAGE, "100.5", Decimal("-100.5")),
        (Kind.JOB, "50", Decimal("-50")),
        (Kind.PROJECT, "20", Decimal("-20")),
        (Kind.DAMAGE, "9.5", Decimal("-9.5")),
        (Kind.ADJUSTMENT, "-10", Decimal("-10")),
        (Kind.ADJUSTMENT, "3", Decimal("3")),
    ]
    expected = Decimal("1000")
    for kind, quantity, delta in cases:
        movement = inventory_services.movement_record(
            actor=staff, item=item, kind=kind, quantity=quantity, reason="because"
        )
        assert movement.quantity == delta
        assert movement.quantity_before == expected
        expected += delta
        assert movement.quantity_after == expected
    item.refresh_from_db()
    assert item.quantity == expected == ledger_sum(item) == Decimal("1063")


def test_overdraw_is_refused_and_writes_nothing(space, member):
    item = InventoryItemFactory(makerspace=space, stock=3)
    with pytest.raises(ConflictError) as refused:
        inventory_services.movement_record(actor=member, item=item, kind=Kind.USAGE, quantity="4")
    assert refused.value.code == "insufficient_stock"
    item.refresh_from_db()
    assert item.quantity == 3 == ledger_sum(item)
    assert StockMovement.objects.filter(item=item).count() == 1  # the opening restock only


def test_the_database_refuses_a_negative_quantity_and_a_row_that_does_not_add_up(space):
    item = InventoryItemFactory(makerspace=space, stock=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        InventoryItem.objects.filter(pk=item.pk).update(quantity=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.create(
            item=item,
            makerspace=space,
            kind="usage",
            quantity=-1,
            quantity_before=5,
            quantity_after=3,
            created_at=item.created_at,
        )


def test_movements_are_append_only(space):
    item = InventoryItemFactory(makerspace=space, stock=5)
    movement = StockMovement.objects.get(item=item)
    with pytest.raises(ValueError):
        movement.save()
    with pytest.raises(ValueError):
        movement.delete()
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            StockMovement.objects.filter(pk=movement.pk).update(reason="edited")
        with pytest.raises(IntegrityError), transaction.atomic():
            StockMovement.objects.filter(pk=movement.pk).delete()
    assert StockMovement.objects.get(pk=movement.pk).reason == "seed"


def test_stocktake_records_the_count_and_the_difference(space, staff):
    item = InventoryItemFactory(makerspace=space, stock=20)
    movement = inventory_services.movement_record(actor=staff, item=item, kind=Kind.STOCKTAKE, quantity="17.5")
    assert (movement.counted_quantity, movement.quantity, movement.quantity_after) == (
        Decimal("17.5"),
        Decimal("-2.5"),
        Decimal("17.5"),
    )
    same = inventory_services.movement_record(actor=staff, item=item, kind=Kind.STOCKTAKE, quantity="17.5")
    assert same.quantity == 0  # a count that matches is recorded too
    item.refresh_from_db()
    assert item.quantity == Decimal("17.5") == ledger_sum(item)


@pytest.mark.parametrize(
    ("kind", "quantity"),
    [
        ("usage", "0"),
        ("usage", "-1"),
        ("restock", "abc"),
        ("restock", "1.0001"),
        ("restock", "1e20"),
        ("adjustment", "0"),
        ("transfer", "1"),
        ("teleport", "1"),
    ],
)
def test_bad_quantities_and_kinds_are_invalid_input(space, staff, kind, quantity):
    item = InventoryItemFactory(makerspace=space, stock=5)
    with pytest.raises(ValidationError):
        inventory_services.movement_record(actor=staff, item=item, kind=kind, quantity=quantity, reason="x")
    assert StockMovement.objects.filter(item=item).count() == 1


def test_adjustment_and_damage_need_a_reason(space, staff):
    item = InventoryItemFactory(makerspace=space, stock=5)
    for kind in (Kind.ADJUSTMENT, Kind.DAMAGE):
        with pytest.raises(ValidationError):
            inventory_services.movement_record(actor=staff, item=item, kind=kind, quantity="1")


def test_access_level_decides_who_draws(space, member, staff):
    manager = MemberFactory(makerspace=space, role="manager").user
    basic = InventoryItemFactory(makerspace=space, stock=10, access_level="basic")
    certified = InventoryItemFactory(makerspace=space, stock=10, access_level="certified")
    admin_only = InventoryItemFactory(makerspace=space, stock=10, access_level="admin_only")

    inventory_services.movement_record(actor=member, item=basic, kind=Kind.USAGE, quantity="1")
    with pytest.raises(PermissionDenied) as refused:
        inventory_services.movement_record(actor=member, item=certified, kind=Kind.USAGE, quantity="1")
    assert refused.value.code == "not_makerspace_staff"
    inventory_services.movement_record(actor=staff, item=certified, kind=Kind.USAGE, quantity="1")
    with pytest.raises(PermissionDenied) as refused:
        inventory_services.movement_record(actor=staff, item=admin_only, kind=Kind.USAGE, quantity="1")
    assert refused.value.code == "not_makerspace_manager"
    inventory_services.movement_record(actor=manager, item=admin_only, kind=Kind.USAGE, quantity="1")
    # Restocking is staff work even on a basic item; strangers and None are refused.
    with pytest.raises(PermissionDenied):
        inventory_services.movement_record(actor=member, item=basic, kind=Kind.RESTOCK, quantity="1")
    with pytest.raises(PermissionDenied):
        inventory_services.movement_record(actor=None, item=basic, kind=Kind.USAGE, quantity="1")
    assert [
        i.quantity for i in InventoryItem.objects.filter(pk__in=[basic.pk, certified.pk, admin_only.pk]).order_by("pk")
    ] == [9, 9, 9]


def test_transfer_moves_stock_between_two_spaces_in_one_transaction(space, staff):
    other = MakerspaceFactory()
    MemberFactory(makerspace=other, role="staff", user=staff)
    source = InventoryItemFactory(makerspace=space, unit="m", stock=30)
    target = InventoryItemFactory(makerspace=other, unit="m", stock=2)
    out, into = inventory_services.movement_transfer(actor=staff, from_item=source, to_item=target, quantity="12")
    assert out.transfer_group == into.transfer_group
    assert (out.quantity, into.quantity) == (Decimal("-12"), Decimal("12"))
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.quantity, target.quantity) == (18, 14)
    assert source.quantity == ledger_sum(source) and target.quantity == ledger_sum(target)


def test_a_transfer_refused_on_one_side_changes_neither(space, staff):
    other = MakerspaceFactory()  # staff of ``space`` only: the destination side refuses them
    source = InventoryItemFactory(makerspace=space, unit="m", stock=30)
    target = InventoryItemFactory(makerspace=other, unit="m", stock=2)
    with pytest.raises(PermissionDenied):
        inventory_services.movement_transfer(actor=staff, from_item=source, to_item=target, quantity="12")
    with pytest.raises(ConflictError):  # overdrawn at the source
        inventory_services.movement_transfer(actor=SYSTEM, from_item=source, to_item=target, quantity="31")
    with pytest.raises(ValidationError):  # units differ
        inventory_services.movement_transfer(
            actor=SYSTEM, from_item=source, to_item=InventoryItemFactory(makerspace=other, unit="g"), quantity="1"
        )
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.quantity, target.quantity) == (30, 2)
    assert StockMovement.objects.filter(kind=Kind.TRANSFER).count() == 0


def test_item_create_records_opening_stock_in_the_ledger_and_refuses_duplicate_skus(space, staff, member):
    item = inventory_services.item_create(
        actor=staff, makerspace=space, sku="PLA-1", name="PLA black", unit="kg", quantity="2.5", reorder_level="1"
    )
    assert item.quantity == Decimal("2.5") == ledger_sum(item)
    with pytest.raises(ConflictError) as duplicate:
        inventory_services.item_create(actor=staff, makerspace=space, sku="PLA-1", name="again")
    assert duplicate.value.code == "duplicate_sku"
    with pytest.raises(PermissionDenied):
        inventory_services.item_create(actor=member, makerspace=space, sku="X", name="x")
    with pytest.raises(ValidationError):
        inventory_services.item_create(actor=staff, makerspace=space, sku="Y", name="y", unit="furlong")


def test_suggested_reorder_quantity_follows_the_earlier_rule():
    assert InventoryItem(reorder_level=Decimal("3")).suggested_reorder_quantity == 10
    assert InventoryItem(reorder_level=Decimal("8")).suggested_reorder_quantity == 16
    assert InventoryItem(reorder_level=Decimal("8"), reorder_quantity=Decimal("5")).suggested_reorder_quantity == 5
