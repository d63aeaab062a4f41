"""Issue item 5: a makerspace's quick reorder becomes the staff member's store reorder list, and a project BOM's
store lines go into the member's store cart, both through the outbox."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bridge.models import OutboxMessage
from bridge.tests import helpers
from makerspace.models import InventoryItem, Member
from makerspace.tests.factories import (
    BOMLineFactory,
    InventoryItemFactory,
    MakerspaceFactory,
    MemberFactory,
    ProjectFactory,
)
from store.models import CartItem, ReorderList
from store.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    helpers.configure(settings, tmp_path)


def test_a_quick_reorder_becomes_the_staff_members_store_reorder_list(client_for, django_capture_on_commit_callbacks):
    space = MakerspaceFactory(name="Central")
    staff = MemberFactory(makerspace=space, role=Member.Role.STAFF).user
    ProductFactory(sku="RES-10K", stock=500)
    InventoryItemFactory(
        makerspace=space,
        sku="R10K",
        supplier=InventoryItem.Supplier.STORE,
        store_sku="RES-10K",
        reorder_level=Decimal("50"),
        reorder_quantity=Decimal("99.5"),
        stock=10,
    )
    client = client_for(staff)
    for _ in range(2):  # sending twice leaves one list (the store replaces it)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/api/v1/makerspace/inventory/quick-reorder/", {"makerspace": space.pk}, format="json"
            )
        assert response.status_code == 202, response.json()
        assert [(line["sku"], line["quantity"]) for line in response.json()["lines"]] == [("RES-10K", 100)]
    reorder_list = ReorderList.objects.get(user=staff)
    assert reorder_list.name == "Quick reorder: Central"
    assert list(reorder_list.lines.values_list("sku", "quantity")) == [("RES-10K", 100)]
    assert list(OutboxMessage.objects.values_list("kind", "status")) == [("reorder.list", "sent")] * 2


def test_quick_reorder_is_staff_work_and_needs_a_low_store_item(client_for):
    space = MakerspaceFactory()
    member = MemberFactory(makerspace=space).user
    staff = MemberFactory(makerspace=space, role=Member.Role.STAFF).user
    url = "/api/v1/makerspace/inventory/quick-reorder/"
    assert client_for(member).post(url, {"makerspace": space.pk}, format="json").status_code == 403
    response = client_for(staff).post(url, {"makerspace": space.pk}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "nothing_to_reorder"
    assert not OutboxMessage.objects.exists()


def test_a_projects_store_lines_go_into_the_members_cart(client_for, django_capture_on_commit_callbacks):
    space = MakerspaceFactory()
    owner = MemberFactory(makerspace=space).user
    project = ProjectFactory(owner=owner, makerspace=space)
    ProductFactory(sku="ESP32-DEVKIT", stock=50)
    ProductFactory(sku="LED-5MM", stock=1)
    BOMLineFactory(project=project, store_sku="ESP32-DEVKIT", quantity=Decimal("1.5"))
    BOMLineFactory(project=project, store_sku="ESP32-DEVKIT", quantity=Decimal("1"))
    BOMLineFactory(project=project, store_sku="LED-5MM", quantity=Decimal("4"))
    BOMLineFactory(project=project, store_sku="NO-SUCH-PART", quantity=Decimal("1"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(f"/api/v1/makerspace/projects/{project.pk}/bom/to-store-cart/")
    assert response.status_code == 202, response.json()
    assert {(line["sku"], line["quantity"]) for line in response.json()["lines"]} == {
        ("ESP32-DEVKIT", 3),
        ("LED-5MM", 4),
        ("NO-SUCH-PART", 1),
    }
    assert dict(CartItem.objects.filter(cart__user=owner).values_list("product__sku", "quantity")) == {
        "ESP32-DEVKIT": 3
    }
    message = OutboxMessage.objects.get(kind="bom.cart")
    assert message.status == "sent"
    assert {(line["sku"], line["reason"]) for line in message.response["short"]} == {
        ("LED-5MM", "out_of_stock"),
        ("NO-SUCH-PART", "product_not_found"),
    }
    stranger = client_for()
    assert stranger.post(f"/api/v1/makerspace/projects/{project.pk}/bom/to-store-cart/").status_code in (403, 404)
    assert stranger.get(f"/api/v1/makerspace/projects/{project.pk}/bom/to-store-cart/").status_code == 405
