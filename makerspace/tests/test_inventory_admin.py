"""Inventory admin: scoped lists with stock status, ledger inline, restock/adjust actions through the services,
the low-stock filter and the QR label sheet."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from makerspace.models import InventoryItem, StockMovement
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/admin/makerspace/inventoryitem/"


@pytest.fixture
def setup(make_user):
    a, b = f.MakerspaceFactory(name="Alpha"), f.MakerspaceFactory(name="Beta")
    manager = make_user("inv_manager", roles=["makerspace_admin"])
    f.MemberFactory(user=manager, makerspace=a, role="manager")
    client = Client()
    client.force_login(manager)
    low = f.InventoryItemFactory(makerspace=a, sku="A-LOW", reorder_level=5, stock=2)
    fine = f.InventoryItemFactory(makerspace=a, sku="A-OK", reorder_level=5, stock=20)
    other = f.InventoryItemFactory(makerspace=b, sku="B-ITEM", stock=3)
    return client, low, fine, other


def test_list_is_scoped_and_filters_low_stock(setup):
    client, low, fine, other = setup
    page = client.get(URL).content.decode()
    assert "A-LOW" in page and "A-OK" in page and "B-ITEM" not in page
    filtered = client.get(URL, {"stock": "low"}).content.decode()
    assert "A-LOW" in filtered and "A-OK" not in filtered
    detail = client.get(f"{URL}{low.pk}/change/")
    assert detail.status_code == 200 and "seed" in detail.content.decode()  # the ledger inline
    assert client.get(f"{URL}{other.pk}/change/").status_code in (302, 403, 404)


def test_restock_and_adjust_actions_write_ledger_rows(setup):
    client, low, fine, other = setup
    asked = client.post(URL, {"action": "restock", "_selected_action": [low.pk]})
    assert asked.status_code == 200 and b"quantity" in asked.content
    client.post(
        URL,
        {"action": "restock", "_selected_action": [low.pk, other.pk], "apply": "1", "quantity": "8", "reason": "PO 7"},
    )
    client.post(
        URL, {"action": "adjust", "_selected_action": [fine.pk], "apply": "1", "quantity": "-30", "reason": "count"}
    )
    low.refresh_from_db()
    fine.refresh_from_db()
    other.refresh_from_db()
    assert low.quantity == Decimal("10") and other.quantity == 3  # B is outside the queryset
    assert fine.quantity == 20  # the overdraw was refused, nothing written
    assert StockMovement.objects.filter(item=low, kind="restock", reason="PO 7").count() == 1
    assert not StockMovement.objects.filter(item=fine, kind="adjustment").exists()


def test_item_add_goes_through_the_service(setup, make_user):
    client, *_ = setup
    space = InventoryItem.objects.get(sku="A-LOW").makerspace
    response = client.post(
        f"{URL}add/",
        {
            "makerspace": space.pk,
            "sku": "NEW-ADMIN",
            "name": "Resin",
            "category": "",
            "unit": "ml",
            "location": "",
            "supplier": "external",
            "supplier_name": "",
            "unit_cost": "1.00",
            "currency": "INR",
            "reorder_level": "100",
            "reorder_quantity": "",
            "access_level": "certified",
            "store_sku": "",
            "active": "on",
            "movements-TOTAL_FORMS": "0",
            "movements-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert InventoryItem.objects.get(sku="NEW-ADMIN").access_level == "certified"


def test_label_sheet_is_a_pdf(setup):
    client, low, fine, other = setup
    response = client.post(URL, {"action": "label_sheet", "_selected_action": [low.pk, fine.pk]})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
