"""The inventory API: items, movements (incl. transfers), low stock, labels, CSV in and out, query counts and
tenant isolation."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from makerspace.models import InventoryItem, StockMovement
from makerspace.tests.factories import InventoryItemFactory, MakerspaceFactory, MemberFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/makerspace/inventory"


@pytest.fixture
def space():
    return MakerspaceFactory(slug="north")


@pytest.fixture
def staff_client(space, client_for):
    return client_for(MemberFactory(makerspace=space, role="staff").user)


@pytest.fixture
def member_client(space, client_for):
    return client_for(MemberFactory(makerspace=space).user)


def test_staff_create_an_item_with_opening_stock_and_members_draw_from_it(space, staff_client, member_client):
    response = staff_client.post(
        f"{BASE}/items/",
        {
            "makerspace": space.pk,
            "sku": "PETG-1",
            "name": "PETG",
            "unit": "kg",
            "quantity": "3.5",
            "reorder_level": "1",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    item_id = response.json()["id"]
    assert response.json()["quantity"] == "3.500"
    assert response.json()["suggested_reorder_quantity"] == "10.000"

    drawn = member_client.post(
        f"{BASE}/items/{item_id}/movements/", {"kind": "usage", "quantity": "1.25"}, format="json"
    )
    assert drawn.status_code == 201, drawn.content
    assert drawn.json()["quantity"] == "2.250"
    assert drawn.json()["movement"]["quantity_before"] == "3.500"

    overdraw = member_client.post(
        f"{BASE}/items/{item_id}/movements/", {"kind": "usage", "quantity": "9"}, format="json"
    )
    assert overdraw.status_code == 409
    assert overdraw.json()["code"] == "insufficient_stock" and overdraw.json()["request_id"]
    assert StockMovement.objects.filter(item_id=item_id).count() == 2

    refused = member_client.post(
        f"{BASE}/items/{item_id}/movements/", {"kind": "restock", "quantity": "9"}, format="json"
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "not_makerspace_staff")
    assert member_client.get(f"{BASE}/items/{item_id}/movements/").status_code == 403
    ledger = staff_client.get(f"{BASE}/items/{item_id}/movements/").json()
    assert [row["kind"] for row in ledger["results"]] == ["usage", "restock"]


def test_duplicate_sku_is_a_conflict(space, staff_client):
    InventoryItemFactory(makerspace=space, sku="DUP")
    response = staff_client.post(f"{BASE}/items/", {"makerspace": space.pk, "sku": "DUP", "name": "x"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "duplicate_sku")


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "usage", "quantity": "abc"},
        {"kind": "usage", "quantity": "1e400"},
        {"kind": "usage", "quantity": "0.0001"},
        {"kind": "usage"},
        {"kind": "melt", "quantity": "1"},
        {"kind": "transfer", "quantity": "1"},
        {"kind": "transfer", "quantity": "1", "to_item": 2**63 - 1},
        {"kind": "usage", "quantity": "1", "reason": "x" * 501},
        [],
    ],
)
def test_bad_movement_input_is_a_400_and_writes_nothing(space, staff_client, body):
    item = InventoryItemFactory(makerspace=space, stock=5)
    response = staff_client.post(f"{BASE}/items/{item.pk}/movements/", body, format="json")
    assert response.status_code == 400, response.content
    assert {"detail", "code", "request_id"} <= set(response.json())
    assert StockMovement.objects.filter(item=item).count() == 1


def test_transfer_through_the_api(space, client_for):
    other = MakerspaceFactory()
    user = MemberFactory(makerspace=space, role="staff").user
    MemberFactory(makerspace=other, role="staff", user=user)
    source = InventoryItemFactory(makerspace=space, stock=10)
    target = InventoryItemFactory(makerspace=other, stock=0)
    response = client_for(user).post(
        f"{BASE}/items/{source.pk}/movements/",
        {"kind": "transfer", "quantity": "4", "to_item": target.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["quantity"] == "6.000"
    assert response.json()["counterpart"]["quantity_after"] == "4.000"


def test_staff_of_another_space_neither_see_nor_change_its_items(space, client_for):
    item = InventoryItemFactory(makerspace=space, stock=5)
    outsider = client_for(MemberFactory(role="staff").user)
    assert item.pk not in {row["id"] for row in outsider.get(f"{BASE}/items/", {"page_size": 100}).json()["results"]}
    assert outsider.get(f"{BASE}/items/{item.pk}/").status_code == 404
    assert outsider.patch(f"{BASE}/items/{item.pk}/", {"name": "mine"}, format="json").status_code == 404
    moved = outsider.post(f"{BASE}/items/{item.pk}/movements/", {"kind": "usage", "quantity": "1"}, format="json")
    assert moved.status_code == 404
    assert outsider.get(f"{BASE}/low-stock/").json()["count"] == 0
    exported = outsider.get(f"{BASE}/items/export/", {"makerspace": space.pk})
    assert exported.status_code == 403
    ledger = outsider.get(
        f"{BASE}/movements/export/",
        {"makerspace": space.pk, "start": "2020-01-01T00:00:00Z", "end": "2030-01-01T00:00:00Z"},
    )
    assert ledger.status_code == 403
    item.refresh_from_db()
    assert item.quantity == 5 and item.name != "mine"


def _count(client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured)


def test_lists_cost_the_same_queries_for_one_row_or_a_hundred(space, staff_client):
    items = [InventoryItemFactory(makerspace=space, reorder_level=50, stock=1 + n) for n in range(6)]
    for item in items[:3]:
        staff_client.post(f"{BASE}/items/{item.pk}/movements/", {"kind": "restock", "quantity": "1"}, format="json")
    for url in (f"{BASE}/items/", f"{BASE}/items/{items[0].pk}/movements/", f"{BASE}/low-stock/"):
        assert _count(staff_client, url, {"page_size": 1}) == _count(staff_client, url, {"page_size": 100}), url
    few = _count(staff_client, f"{BASE}/low-stock/", {})
    InventoryItemFactory.create_batch(20, makerspace=space, reorder_level=50, stock=2)
    assert _count(staff_client, f"{BASE}/low-stock/", {}) == few


def test_low_stock_and_quick_reorder(space, staff_client):
    InventoryItemFactory(makerspace=space, sku="LOW", supplier="store", store_sku="ST-9", reorder_level=5, stock=2)
    body = staff_client.get(f"{BASE}/low-stock/", {"makerspace": space.pk}).json()
    assert body["count"] == 1
    assert body["groups"][0]["items"][0]["suggested_reorder_quantity"] == "10.000"
    reorder = staff_client.get(f"{BASE}/quick-reorder/", {"makerspace": space.pk}).json()
    assert reorder["lines"] == [{"sku": "ST-9", "quantity": 10, "item": body["groups"][0]["items"][0]["id"]}]
    assert staff_client.get(f"{BASE}/items/", {"low": "true"}).json()["count"] == 1
    assert staff_client.get(f"{BASE}/items/", {"low": "maybe"}).status_code == 400


def test_label_png_is_a_qr_code_image(space, member_client):
    item = InventoryItemFactory(makerspace=space, sku="LBL-1", location="Shelf A")
    response = member_client.get(f"{BASE}/items/{item.pk}/label.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.size == (600, 300)


def _upload(text: str, name="items.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_csv_import_with_bad_rows_imports_nothing_and_names_every_bad_row(space, staff_client):
    InventoryItemFactory(makerspace=space, sku="KEEP", name="Unchanged", stock=4)
    text = (
        "sku,name,unit,quantity,reorder_level,unit_cost,active\n"
        "OK-1,Good row,kg,2,1,3.50,true\n"
        "BAD-UNIT,Bad unit,furlong,1,0,1,true\n"
        ",No sku,piece,1,0,1,true\n"
        "BAD-QTY,Bad quantity,piece,-3,0,1,true\n"
        "OK-1,Duplicate,piece,1,0,1,true\n"
        "KEEP,Renamed,piece,9,0,1,maybe\n"
    )
    response = staff_client.post(
        f"{BASE}/items/import/", {"makerspace": space.pk, "file": _upload(text)}, format="multipart"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_rows"
    assert set(body["errors"]) == {"row 3", "row 4", "row 5", "row 6", "row 7"}
    assert any("unit" in message for message in body["errors"]["row 3"])
    assert any("row 2" in message for message in body["errors"]["row 6"])
    assert InventoryItem.objects.filter(makerspace=space).count() == 1
    assert InventoryItem.objects.get(sku="KEEP").name == "Unchanged"


def test_csv_export_imports_back_and_updates_through_the_ledger(space, staff_client):
    InventoryItemFactory(makerspace=space, sku="=HACK", name="+cmd", stock=4)
    staff_client.post(
        f"{BASE}/items/import/",
        {"makerspace": space.pk, "file": _upload("sku,name,unit,quantity\nNEW-1,New,m,12.5\n")},
        format="multipart",
    )
    exported = staff_client.get(f"{BASE}/items/export/", {"makerspace": space.pk})
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    text = b"".join(exported.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["sku"] for row in rows} == {"'=HACK", "NEW-1"}  # formula cells neutralised
    assert next(row for row in rows if row["sku"] == "NEW-1")["quantity"] == "12.500"
    changed = text.replace(",12.500", ",10.000").replace("'=HACK", "SAFE")
    response = staff_client.post(
        f"{BASE}/items/import/", {"makerspace": space.pk, "file": _upload(changed)}, format="multipart"
    )
    assert response.json() == {"created": 1, "updated": 1}, response.content
    item = InventoryItem.objects.get(makerspace=space, sku="NEW-1")
    assert item.quantity == Decimal("10")
    assert item.movements.order_by("-id").first().kind == "stocktake"


@pytest.mark.parametrize(
    ("data", "status"),
    [(b"\xff\xfe\x00bad", 415), (b"", 400), (b"sku,name,colour\nA,B,red\n", 400), (b"name\nonly\n", 400)],
)
def test_csv_import_refuses_bad_files(space, staff_client, data, status):
    upload = SimpleUploadedFile("x.csv", data, content_type="text/csv")
    response = staff_client.post(f"{BASE}/items/import/", {"makerspace": space.pk, "file": upload}, format="multipart")
    assert response.status_code == status, response.content
    assert InventoryItem.objects.count() == 0


def test_ledger_export_streams_the_range(space, staff_client):
    item = InventoryItemFactory(makerspace=space, sku="L-1", stock=10)
    for _ in range(3):
        staff_client.post(f"{BASE}/items/{item.pk}/movements/", {"kind": "usage", "quantity": "1"}, format="json")
    InventoryItemFactory(stock=5)  # another space's ledger stays out
    now = timezone.now()
    response = staff_client.get(
        f"{BASE}/movements/export/",
        {
            "makerspace": space.pk,
            "start": (now - timedelta(hours=1)).isoformat(),
            "end": (now + timedelta(hours=1)).isoformat(),
        },
    )
    assert response.status_code == 200 and response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["kind"] for row in rows] == ["restock", "usage", "usage", "usage"]
    assert rows[-1]["quantity_after"] == "7.000"
    bad = staff_client.get(
        f"{BASE}/movements/export/", {"makerspace": space.pk, "start": now.isoformat(), "end": now.isoformat()}
    )
    assert bad.status_code == 400


def test_exports_page_through_more_rows_than_one_chunk(space, staff_client):
    from makerspace.selectors import inventory as inventory_selectors

    items = InventoryItemFactory.create_batch(5, makerspace=space, stock=3)
    for item in items:
        staff_client.post(f"{BASE}/items/{item.pk}/movements/", {"kind": "usage", "quantity": "1"}, format="json")
    now = timezone.now()
    rows = list(
        inventory_selectors.movement_export_rows(
            makerspace_id=space.pk, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1), chunk_size=3
        )
    )
    assert [row[0] for row in rows] == list(
        StockMovement.objects.filter(makerspace=space).order_by("created_at", "id").values_list("id", flat=True)
    )
    assert len(rows) == 10
    skus = [item.sku for item in inventory_selectors.item_export_rows(makerspace_id=space.pk, chunk_size=2)]
    assert skus == sorted(item.sku for item in items)


def test_the_largest_reorder_level_still_answers_its_suggestion(api_client):
    """The suggestion (2 × level) has one digit more than a stored quantity: never a 500 for a legal level."""
    item = InventoryItemFactory()
    manager = MemberFactory(makerspace=item.makerspace, role="manager").user
    api_client.force_authenticate(manager)
    response = api_client.patch(
        f"/api/v1/makerspace/inventory/items/{item.pk}/", {"reorder_level": "99999999999.999"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["suggested_reorder_quantity"] == "199999999999.998"
