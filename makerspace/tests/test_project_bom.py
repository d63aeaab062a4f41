"""Project BOM: lines, state machine with ledger draws and restocks, cost totals per state, reserve-from-inventory
in one transaction."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from makerspace.models import BOMLine, StockMovement
from makerspace.services import project_bom as bom_services
from makerspace.tests.factories import (
    BOMLineFactory,
    InventoryItemFactory,
    MakerspaceFactory,
    MemberFactory,
    ProjectFactory,
)
from makrx.errors import ConflictError, InvalidTransition, ValidationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client_for):
    space = MakerspaceFactory()
    owner = MemberFactory(makerspace=space).user
    project = ProjectFactory(owner=owner, makerspace=space, visibility="members")
    return space, owner, project, client_for(owner)


def url(project, tail=""):
    return f"/api/v1/makerspace/projects/{project.pk}/bom/{tail}"


def test_lines_name_an_item_of_the_space_or_a_store_sku(setup):
    space, owner, project, client = setup
    item = InventoryItemFactory(makerspace=space, unit_cost=Decimal("4.00"), stock=5)
    created = client.post(url(project), {"inventory_item": item.pk, "quantity": "2"}, format="json")
    assert created.status_code == 201 and created.json()["unit_cost"] == "4.00"
    assert created.json()["line_cost"] == "8.00"
    store = client.post(url(project), {"store_sku": "ST-MOTOR", "quantity": "1", "unit_cost": "250.00"}, format="json")
    assert store.status_code == 201
    assert client.post(url(project), {"quantity": "1"}, format="json").status_code == 400
    foreign = InventoryItemFactory()
    assert client.post(url(project), {"inventory_item": foreign.pk, "quantity": "1"}, format="json").status_code == 400
    assert client.post(url(project), {"store_sku": "X", "quantity": "0"}, format="json").status_code == 400


def test_states_move_forward_and_consumed_draws_from_the_ledger(setup):
    space, owner, project, client = setup
    item = InventoryItemFactory(makerspace=space, stock=1)
    line = BOMLineFactory(project=project, inventory_item=item, quantity=Decimal("3"))
    bad = client.post(url(project, f"{line.pk}/transition/"), {"state": "received"}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (409, "invalid_transition")
    short = client.post(url(project, f"{line.pk}/transition/"), {"state": "consumed"}, format="json")
    assert (short.status_code, short.json()["code"]) == (409, "insufficient_stock")
    for state in ("ordered", "received", "consumed"):
        response = client.post(url(project, f"{line.pk}/transition/"), {"state": state}, format="json")
        assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert item.quantity == 1  # +3 received into stock, −3 consumed by the project
    kinds = list(StockMovement.objects.filter(item=item).order_by("id").values_list("kind", "quantity"))
    assert kinds == [("restock", Decimal("1")), ("restock", Decimal("3")), ("project", Decimal("-3"))]
    line.refresh_from_db()
    assert line.state == "consumed" and line.consumed_movement.kind == "project"
    with pytest.raises(InvalidTransition):
        bom_services.bom_line_update(actor=owner, line=line, quantity="1")


def test_cost_totals_per_state(setup):
    space, owner, project, client = setup
    BOMLineFactory(project=project, quantity=Decimal("3"), unit_cost=Decimal("0.33"), state="needed")
    BOMLineFactory(project=project, quantity=Decimal("2.5"), unit_cost=Decimal("10.00"), state="ordered")
    BOMLineFactory(project=project, quantity=Decimal("1"), unit_cost=Decimal("99.99"), state="consumed")
    totals = client.get(url(project, "totals/")).json()
    assert totals == [
        {
            "currency": "INR",
            "needed": "0.99",
            "ordered": "25.00",
            "received": "0.00",
            "consumed": "99.99",
            "total": "125.98",
        }
    ]


def test_reserve_from_inventory_draws_what_is_on_the_shelf_in_one_transaction(setup):
    space, owner, project, client = setup
    plenty = InventoryItemFactory(makerspace=space, stock=10)
    scarce = InventoryItemFactory(makerspace=space, stock=1)
    staff_only = InventoryItemFactory(makerspace=space, stock=10, access_level="certified")
    a = BOMLineFactory(project=project, inventory_item=plenty, quantity=Decimal("4"))
    b = BOMLineFactory(project=project, inventory_item=plenty, quantity=Decimal("5"))
    c = BOMLineFactory(project=project, inventory_item=plenty, quantity=Decimal("2"))  # 1 left after a and b
    d = BOMLineFactory(project=project, inventory_item=scarce, quantity=Decimal("3"))
    e = BOMLineFactory(project=project, inventory_item=staff_only, quantity=Decimal("1"))
    f = BOMLineFactory(project=project, store_sku="ST-1")
    response = client.post(url(project, "reserve-from-inventory/"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["consumed"] == [a.pk, b.pk]
    assert [row["line"] for row in body["short"]] == [c.pk, d.pk]
    assert body["refused"] == [{"line": e.pk, "code": "access_level"}]
    plenty.refresh_from_db()
    assert plenty.quantity == 1
    states = dict(BOMLine.objects.filter(project=project).values_list("pk", "state"))
    assert states == {
        a.pk: "consumed",
        b.pk: "consumed",
        c.pk: "needed",
        d.pk: "needed",
        e.pk: "needed",
        f.pk: "needed",
    }
    again = client.post(url(project, "reserve-from-inventory/"))
    assert again.json()["consumed"] == []


def test_reserve_with_nothing_to_draw_is_a_conflict(setup):
    space, owner, project, client = setup
    BOMLineFactory(project=project, store_sku="ST-9")
    response = client.post(url(project, "reserve-from-inventory/"))
    assert (response.status_code, response.json()["code"]) == (409, "nothing_to_reserve")


def test_members_who_are_not_collaborators_cannot_change_the_bom(setup, client_for):
    space, owner, project, client = setup
    line = BOMLineFactory(project=project)
    outsider = client_for(MemberFactory(makerspace=space).user)
    assert outsider.get(url(project)).status_code == 200  # a members project: they see it
    assert outsider.post(url(project), {"store_sku": "X", "quantity": "1"}, format="json").status_code == 403
    assert outsider.post(url(project, f"{line.pk}/transition/"), {"state": "ordered"}, format="json").status_code == 403
    other_staff = client_for(MemberFactory(role="staff").user)
    assert other_staff.get(url(project)).status_code == 404


def test_bom_list_query_count_is_fixed(setup):
    space, owner, project, client = setup
    for _ in range(6):
        BOMLineFactory(project=project, inventory_item=InventoryItemFactory(makerspace=space))
    counts = []
    for size in (1, 100):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(project), {"page_size": size}).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_bad_amounts_are_refused(setup):
    space, owner, project, client = setup
    with pytest.raises(ValidationError):
        bom_services.bom_line_add(actor=owner, project=project, store_sku="X", quantity="1", unit_cost="-1")
    with pytest.raises(ConflictError):
        bom_services.bom_reserve_from_inventory(actor=owner, project=project)
