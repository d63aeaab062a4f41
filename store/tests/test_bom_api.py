"""BOM import API: upload → 201 with mapped lines, reading, manual mapping, add-to-cart (signed in and anonymous),
who sees what, the earlier store's aliases, hostile files (4xx, nothing stored) and the rate limit."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from store.models import BomImport, BomLine, Cart, CartItem, SupplierPartNumber
from store.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "bom"
URL = "/api/v1/store/bom-imports/"
ATOPILE = "atopile_i2c_unicode_values_bom.csv"


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def catalog():
    """The atopile BOM's parts: C1525 by LCSC number, CL05A225MQ5NSNC by MPN (1 in stock), the others missing."""
    capacitor = ProductFactory(
        sku="CAP-100N", mpn="CL05B104KO5NNNC", manufacturer="Samsung Electro-Mechanics", stock=50
    )
    SupplierPartNumber.objects.create(product=capacitor, supplier="LCSC", part_number="C1525")
    scarce = ProductFactory(sku="CAP-2U2", mpn="CL05A225MQ5NSNC", manufacturer="Samsung Electro-Mechanics", stock=1)
    spare = ProductFactory(sku="MUX-TCA", mpn="TCA9548APWR-X", manufacturer="Texas Instruments", stock=5)
    return {"capacitor": capacitor, "scarce": scarce, "spare": spare}


def upload(client, name=ATOPILE, data=None, board_quantity=1, url=URL, **extra):
    data = (FIXTURES / name).read_bytes() if data is None else data
    payload = {"file": SimpleUploadedFile(name, data), "board_quantity": board_quantity}
    return client.post(url, payload, format="multipart", **extra)


def test_anonymous_upload_answers_201_with_lines_and_a_cart_token(catalog):
    client = APIClient()
    response = upload(client, board_quantity=2)
    assert response.status_code == 201, response.content
    body = response.json()
    token = response["X-Cart-Token"]
    assert token
    assert set(body) >= {"id", "lines", "summary", "file_name", "columns", "problems"}
    assert body["summary"] == {
        "lines": 4, "mapped": 1, "ambiguous": 1, "unmatched": 1, "out_of_stock": 1, "board_quantity": 2,
        "parts_per_board": 4, "problems": 0,
    }  # fmt: skip
    first, second, third, fourth = body["lines"]
    assert set(first) >= {"line", "designators", "quantity", "mpn", "manufacturer", "status", "product", "confidence",
                          "candidates"}  # fmt: skip
    assert (first["line"], first["designators"], first["quantity"]) == (1, ["C1"], 1)
    assert (first["status"], first["product"]["id"], first["confidence"]) == ("mapped", catalog["capacitor"].pk, 1.0)
    assert (second["status"], second["product"]["id"]) == ("out_of_stock", catalog["scarce"].pk)  # 2 needed, 1 left
    assert third["status"] == "unmatched" and third["product"] is None
    assert fourth["status"] == "ambiguous" and fourth["candidates"][0]["product"] == catalog["spare"].pk
    stored = BomImport.objects.get(pk=body["id"])
    assert stored.user is None and stored.cart.token == token and stored.file_name == ATOPILE
    assert stored.lines.count() == 4

    assert client.get(f"{URL}{body['id']}/", HTTP_X_CART_TOKEN=token).json()["lines"] == body["lines"]
    assert client.get(f"{URL}{body['id']}/").status_code == 401
    other = client.get(f"{URL}{body['id']}/", HTTP_X_CART_TOKEN="someone-elses-token")
    assert other.status_code == 404 and other.json()["code"] == "bom_import_not_found"


def test_owner_store_staff_and_strangers(client_for, catalog):
    owner, stranger, staff = client_for(), client_for(), client_for(roles=["store_admin"])
    import_id = upload(owner).json()["id"]
    assert BomImport.objects.get(pk=import_id).user == owner.user
    assert owner.get(f"{URL}{import_id}/").status_code == 200
    assert staff.get(f"{URL}{import_id}/").status_code == 200
    assert stranger.get(f"{URL}{import_id}/").status_code == 404
    mapped = stranger.post(f"{URL}{import_id}/lines/3/map/", {"product": catalog["spare"].pk}, format="json")
    assert mapped.status_code == 404
    assert stranger.post(f"{URL}{import_id}/add-to-cart/").status_code == 404
    assert [row["id"] for row in owner.get(URL).json()["results"]] == [import_id]
    assert stranger.get(URL).json()["count"] == 0
    assert staff.get(URL).json()["count"] == 1
    assert BomLine.objects.get(bom_import_id=import_id, line=3).status == "unmatched"  # unchanged


def test_manual_mapping(client_for, catalog):
    owner = client_for()
    import_id = upload(owner).json()["id"]
    response = owner.post(f"{URL}{import_id}/lines/4/map/", {"product": catalog["spare"].pk}, format="json")
    assert response.status_code == 200
    line = response.json()["lines"][3]
    assert (line["status"], line["product"]["id"], line["confidence"], line["method"]) == (
        "mapped", catalog["spare"].pk, 1.0, "manual",
    )  # fmt: skip
    assert response.json()["summary"]["mapped"] == 2
    missing_line = owner.post(f"{URL}{import_id}/lines/99/map/", {"product": catalog["spare"].pk}, format="json")
    assert missing_line.status_code == 404 and missing_line.json()["code"] == "bom_line_not_found"
    catalog["spare"].active = False
    catalog["spare"].save()
    inactive = owner.post(f"{URL}{import_id}/lines/3/map/", {"product": catalog["spare"].pk}, format="json")
    assert inactive.status_code == 400 and inactive.json()["code"] == "product_not_found"
    assert owner.post(f"{URL}{import_id}/lines/3/map/", {"product": "x"}, format="json").status_code == 400
    assert owner.get(f"{URL}{import_id}/lines/3/map/").status_code == 405
    assert owner.get(f"{URL}{import_id}/add-to-cart/").status_code == 405


def test_add_to_cart_signed_in_reports_what_was_short(client_for, catalog):
    owner = client_for()
    import_id = upload(owner, board_quantity=3).json()["id"]
    response = owner.post(f"{URL}{import_id}/add-to-cart/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(a["sku"], a["quantity"]) for a in body["added"]] == [("CAP-100N", 3), ("CAP-2U2", 1)]
    assert [(s["sku"], s["wanted"], s["missing"], s["reason"]) for s in body["short"]] == [
        ("CAP-2U2", 3, 2, "out_of_stock")
    ]
    assert [s["line"] for s in body["skipped"]] == [3, 4]
    cart = Cart.objects.get(user=owner.user)
    assert dict(cart.items.values_list("product__sku", "quantity")) == {"CAP-100N": 3, "CAP-2U2": 1}
    # Again: the cart already holds all the scarce part there is, so it is all short now.
    again = owner.post(f"{URL}{import_id}/add-to-cart/").json()
    assert [(a["sku"], a["quantity"]) for a in again["added"]] == [("CAP-100N", 3)]
    assert CartItem.objects.get(cart=cart, product=catalog["capacitor"]).quantity == 6
    assert BomImport.objects.get(pk=import_id).cart_result == {k: again[k] for k in ("added", "short", "skipped")}


def test_add_to_cart_anonymous_uses_the_token_cart(catalog):
    client = APIClient()
    created = upload(client)
    token = created["X-Cart-Token"]
    response = client.post(f"{URL}{created.json()['id']}/add-to-cart/", HTTP_X_CART_TOKEN=token)
    assert response.status_code == 200
    assert response.json()["cart_token"] == token
    cart = Cart.objects.get(token=token)
    assert set(cart.items.values_list("product", "quantity")) == {
        (catalog["capacitor"].pk, 1),
        (catalog["scarce"].pk, 1),
    }
    assert client.post(f"{URL}{created.json()['id']}/add-to-cart/").status_code == 401


def test_legacy_aliases_answer_the_v1_shapes(client_for, catalog):
    owner = client_for()
    created = upload(owner, url="/api/bom-import/import")
    assert created.status_code == 201 and created.json()["summary"]["lines"] == 4
    import_id = created.json()["id"]
    body = {"import_id": import_id, "line": 4, "product": catalog["spare"].pk}
    mapped = owner.post("/api/bom-import/manual-mapping", body, format="json")
    assert mapped.status_code == 200 and mapped.json()["lines"][3]["method"] == "manual"
    assert client_for().post("/api/bom-import/manual-mapping", body, format="json").status_code == 404
    assert owner.post("/api/bom-import/manual-mapping", {"line": 1}, format="json").status_code == 400


def test_list_query_count_is_the_same_for_1_and_100(client_for, catalog, django_assert_num_queries):
    staff = client_for(roles=["store_admin"])
    for _ in range(3):
        upload(staff)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 100):
        with CaptureQueriesContext(connection) as context:
            response = staff.get(URL, {"page_size": size})
        assert response.status_code == 200
        counts.append(len(context))
    assert response.json()["count"] == 3 and len(response.json()["results"]) == 3
    assert counts[0] == counts[1]


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * (80 * 1024 * 1024))
    return buffer.getvalue()


HOSTILE = {
    "binary junk named .csv": ("parts.csv", bytes(range(256)) * 100, 415, "unsupported_file"),
    "over 5 MB": ("big.csv", b"MPN,Qty\n" + b"X,1\n" * (5 * 1024 * 1024 // 4 + 10), 413, "too_large"),
    "10,000 columns": ("wide.csv", (",".join(f"c{i}" for i in range(10_000)) + "\n").encode() * 2, 400,
                       "too_many_columns"),
    "zip bomb renamed .xlsx": ("bom.xlsx", None, 413, "too_large"),
    "old xls": ("bom.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, 415, "unsupported_file"),
    "5,001 lines": ("long.csv", b"MPN,Qty\n" + b"".join(b"P%d,1\n" % i for i in range(5001)), 400, "too_many_lines"),
    "no header": ("words.txt", b"hello there\nnothing here\n", 400, "no_header"),
    "empty": ("empty.csv", b"   \n", 400, "empty_file"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_answer_4xx_and_store_nothing(case, client_for):
    name, data, status, code = HOSTILE[case]
    data = _zip_bomb() if data is None else data
    carts_before = Cart.objects.count()
    for client in (APIClient(), client_for()):
        response = upload(client, name=name, data=data)
        assert response.status_code == status, (case, response.content[:300])
        body = response.json()
        assert body["code"] == code and body["detail"] and body["request_id"]
    assert BomImport.objects.count() == 0 and BomLine.objects.count() == 0
    assert Cart.objects.count() == carts_before


def test_a_200_mb_claim_is_refused_before_the_body_is_read(client_for):
    client = client_for()
    response = client.post(
        URL, {"file": SimpleUploadedFile("a.csv", b"MPN,Qty\nX,1\n")}, format="multipart",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )  # fmt: skip
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert BomImport.objects.count() == 0


def test_bad_board_quantity_and_missing_file(client_for):
    client = client_for()
    assert upload(client, board_quantity=0).status_code == 400
    assert client.post(URL, {"board_quantity": 1}, format="multipart").status_code == 400
    assert client.post(URL, {"file": "not a file"}, format="json").status_code == 400
    assert BomImport.objects.count() == 0


def test_formula_cells_are_stored_as_text(client_for):
    workbook = openpyxl.Workbook()
    workbook.active.append(["MPN", "Qty", "Ref"])
    workbook.active.append(['=WEBSERVICE("http://x")', 1, "U1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client_for(), name="f.xlsx", data=buffer.getvalue())
    assert response.status_code == 201
    assert response.json()["lines"][0]["mpn"] == '=WEBSERVICE("http://x")'


def test_import_is_rate_limited(settings, client_for):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {"bom_import": "2/m"}
    client = client_for()
    statuses = [upload(client).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    assert BomImport.objects.count() == 2


def test_add_to_cart_caps_a_line_at_the_cart_limit(client_for):
    from store.tests.factories import bom_import_for

    owner = client_for()
    product = ProductFactory(stock=50_000)
    bom_import = bom_import_for(user=owner.user, product=product, board_quantity=10_000)
    BomLine.objects.filter(bom_import=bom_import).update(quantity=2)
    body = owner.post(f"{URL}{bom_import.pk}/add-to-cart/").json()
    assert [(a["quantity"], a["wanted"]) for a in body["added"]] == [(10_000, 20_000)]
    assert [(s["missing"], s["reason"]) for s in body["short"]] == [(10_000, "line_limit")]


def test_file_name_is_cleaned(client_for):
    response = upload(client_for(), name="..\\evil\x00\x07name.csv", data=(FIXTURES / ATOPILE).read_bytes())
    assert response.status_code == 201
    assert response.json()["file_name"] == "evilname.csv"


def test_an_anonymous_import_follows_its_cart_into_the_signed_in_cart(client_for, catalog):
    anonymous = APIClient()
    created = upload(anonymous)
    token, import_id = created["X-Cart-Token"], created.json()["id"]
    user = client_for()
    assert user.get(f"{URL}{import_id}/").status_code == 404
    assert user.get("/api/v1/store/cart/", HTTP_X_CART_TOKEN=token).status_code == 200  # the merge at sign-in
    assert user.get(f"{URL}{import_id}/").status_code == 200
    assert [row["id"] for row in user.get(URL).json()["results"]] == [import_id]
    assert client_for().get(f"{URL}{import_id}/").status_code == 404
