"""Invoices through the API: drafts, issue, pay (wallet, offline, Stripe with the HTTP boundary mocked), refunds,
tenant isolation, query pins, and the PDF read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
import responses
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from makerspace.models import Invoice, Wallet
from makerspace.tests import factories as f
from makrx.payments.models import Payment
from makrx.payments.services import payment_capture_from_provider, payment_lock

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/api/v1/makerspace/invoices/"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def space():
    return f.MakerspaceFactory(name="Bengaluru Makers", state_code="29", gstin="29ABCDE1234F1Z5")


@pytest.fixture
def staff(space, client_for):
    return client_for(user=f.MemberFactory(makerspace=space, role="staff").user)


@pytest.fixture
def member(space, client_for):
    member = f.MemberFactory(makerspace=space, billing_state_code="29", billing_name="Asha Rao")
    member.client = client_for(user=member.user)
    return member


def _draft(staff, member, lines=None):
    lines = lines or [{"description": "Laser cutter, 2 h", "quantity": "2", "unit_price": "500.00"}]
    response = staff.post(URL, {"member": member.pk, "lines": lines}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _issued(staff, member, lines=None):
    draft = _draft(staff, member, lines)
    response = staff.post(f"{URL}{draft['id']}/issue/", format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_staff_draft_has_tax_and_no_number(staff, member):
    body = _draft(staff, member)
    assert (body["status"], body["number"], body["total"], body["tax"]) == ("draft", None, "1180.00", "180.00")
    assert [(line["cgst"], line["sgst"], line["igst"]) for line in body["lines"]] == [("90.00", "90.00", "0.00")]


def test_draft_from_a_period_of_billable_records(staff, member):
    f.BillableRecordFactory(member=member, unit_price=D("250.00"), description="Membership April")
    today = timezone.now().date()
    response = staff.post(
        URL,
        {"member": member.pk, "period_from": str(today - dt.timedelta(days=1)), "period_to": str(today)},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["lines"][0]["description"] == "Membership April"
    again = staff.post(URL, {"member": member.pk, "period_from": str(today), "period_to": str(today)}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_bill"


@pytest.mark.parametrize(
    "body",
    [
        {"member": 1},
        {"member": 1, "lines": [], "period_from": "2026-01-01"},
        {"member": 1, "lines": [{"description": "x", "unit_price": "abc"}]},
        {"member": "x", "lines": [{"description": "x", "unit_price": "1"}]},
        {"member": 1, "period_from": "2026-01-01"},
    ],
)
def test_bad_drafts_are_400(staff, body):
    response = staff.post(URL, body, format="json")
    assert response.status_code == 400 and response.json()["code"]


def test_member_cannot_draft_or_issue_and_sees_own_issued_only(staff, member):
    refused = member.client.post(
        URL, {"member": member.pk, "lines": [{"description": "x", "unit_price": "1"}]}, format="json"
    )
    assert refused.status_code == 403
    draft = _draft(staff, member)
    assert member.client.get(f"{URL}{draft['id']}/").status_code == 404
    assert member.client.post(f"{URL}{draft['id']}/issue/").status_code == 404
    staff.post(f"{URL}{draft['id']}/issue/")
    listed = member.client.get(URL).json()
    assert [row["id"] for row in listed["results"]] == [draft["id"]]
    assert member.client.post(f"{URL}{draft['id']}/void/", {}, format="json").status_code == 403


def test_staff_of_another_space_never_see_or_touch_invoices(staff, member, client_for):
    invoice = _issued(staff, member)
    other = client_for(user=f.MemberFactory(role="staff").user)
    assert other.get(URL).json()["count"] == 0
    for path in ("", "pdf/"):
        assert other.get(f"{URL}{invoice['id']}/{path}").status_code == 404
    bodies = {"mark-paid": {"method": "cash"}, "refund": {"amount": "1.00"}, "pay": {"method": "wallet"}}
    for action in ("issue", "void", "mark-paid", "refund", "pay"):
        response = other.post(f"{URL}{invoice['id']}/{action}/", bodies.get(action, {}), format="json")
        assert response.status_code == 404, (action, response.content)  # a valid body: the scope decides
    assert other.get("/api/v1/makerspace/transactions/").json()["count"] == 0


def test_actions_answer_post_only(staff, member):
    invoice = _draft(staff, member)
    assert staff.get(f"{URL}{invoice['id']}/issue/").status_code == 405


def test_wallet_payment_insufficient_then_topped_up_by_staff_then_paid(staff, member):
    invoice = _issued(staff, member)  # 1180.00
    short = member.client.post(f"{URL}{invoice['id']}/pay/", {"method": "wallet"}, format="json")
    assert short.status_code == 409 and short.json()["code"] == "insufficient_credit"
    top_up = staff.post(
        "/api/v1/makerspace/wallet/top-ups/",
        {"member": member.pk, "amount": "1500.00", "method": "cash", "reference": "R-7"},
        format="json",
    )
    assert top_up.status_code == 201, top_up.json()
    assert top_up.json()["balance"] == "1500.00"
    paid = member.client.post(f"{URL}{invoice['id']}/pay/", {"method": "wallet"}, format="json")
    assert paid.status_code == 200, paid.json()
    body = paid.json()
    assert (body["invoice"]["status"], body["invoice"]["amount_due"], body["payment"]) == ("paid", "0.00", None)
    balance = member.client.get(f"/api/v1/makerspace/wallet/?makerspace={member.makerspace_id}").json()
    assert (balance["balance"], balance["currency"]) == ("320.00", "INR")
    entries = member.client.get("/api/v1/makerspace/wallet/entries/").json()["results"]
    assert [(row["kind"], row["amount"]) for row in entries] == [("charge", "-1180.00"), ("top_up", "1500.00")]
    again = member.client.post(f"{URL}{invoice['id']}/pay/", {"method": "wallet"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_partial_offline_payments_then_refund_to_wallet_writes_credit_note(staff, member):
    invoice = _issued(staff, member)
    first = staff.post(
        f"{URL}{invoice['id']}/mark-paid/",
        {"method": "bank_transfer", "reference": "NEFT-1", "amount": "500.00"},
        format="json",
    )
    assert first.status_code == 200 and (first.json()["status"], first.json()["amount_due"]) == ("issued", "680.00")
    too_much = staff.post(f"{URL}{invoice['id']}/mark-paid/", {"method": "cash", "amount": "700.00"}, format="json")
    assert too_much.status_code == 400
    rest = staff.post(f"{URL}{invoice['id']}/mark-paid/", {"method": "cash", "reference": "C-2"}, format="json")
    assert rest.json()["status"] == "paid"
    assert member.client.post(f"{URL}{invoice['id']}/mark-paid/", {"method": "cash"}, format="json").status_code == 403
    refund = staff.post(f"{URL}{invoice['id']}/refund/", {"amount": "100.00", "destination": "wallet"}, format="json")
    assert refund.status_code == 200, refund.json()
    body = refund.json()
    assert (body["status"], body["amount_refunded"], body["amount_credited"]) == ("paid", "100.00", "100.00")
    assert body["credit_notes"][0]["number"].startswith("CN-")
    assert Wallet.objects.get(member=member).balance == D("100.00")
    over = staff.post(f"{URL}{invoice['id']}/refund/", {"amount": "1080.01"}, format="json")
    assert over.status_code == 409 and over.json()["code"] == "refund_exceeds_paid"
    full = staff.post(f"{URL}{invoice['id']}/refund/", {"amount": "1080.00"}, format="json")
    assert full.status_code == 200 and full.json()["status"] == "void"


@responses.activate
def test_stripe_payment_of_an_invoice_is_captured_once(staff, member, settings):
    settings.STRIPE_API_KEY = "sk_test_dummy"
    invoice = _issued(staff, member)
    responses.add(
        responses.POST,
        "https://api.stripe.com/v1/payment_intents",
        json={
            "id": "pi_inv_1",
            "object": "payment_intent",
            "client_secret": "pi_inv_1_secret_x",
            "status": "requires_payment_method",
            "amount": 118000,
            "currency": "inr",
        },
    )
    started = member.client.post(f"{URL}{invoice['id']}/pay/", {"method": "stripe"}, format="json")
    assert started.status_code == 200, started.json()
    payment_body = started.json()["payment"]
    assert (payment_body["client_secret"], payment_body["amount"]) == ("pi_inv_1_secret_x", "1180.00")
    sent = dict(pair.split("=", 1) for pair in responses.calls[0].request.body.split("&"))
    assert (sent["amount"], sent["currency"]) == ("118000", "inr")
    payment = Payment.objects.get(provider_ref="pi_inv_1")
    for _ in range(2):  # the webhook and the checkout confirmation both report it
        from django.db import transaction

        with transaction.atomic():
            payment_capture_from_provider(payment=payment_lock(payment_id=payment.pk), provider_payment_ref="ch_1")
    detail = member.client.get(f"{URL}{invoice['id']}/").json()
    assert (detail["status"], detail["amount_paid"], len(detail["payments"])) == ("paid", "1180.00", 1)
    assert detail["payments"][0]["method"] == "stripe"


def test_pdf_reads_back_number_lines_total_and_words(staff, member):
    invoice = _issued(
        staff,
        member,
        lines=[
            {"description": "Laser cutter, 2 h", "quantity": "2", "unit_price": "500.00"},
            {"description": "Acrylic sheet 3 mm", "quantity": "1", "unit_price": "250.00"},
        ],
    )
    response = member.client.get(f"{URL}{invoice['id']}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert invoice["number"] in flat
    assert "Laser cutter, 2 h" in flat and "Acrylic sheet 3 mm" in flat
    assert "1475.00" in flat  # 1250.00 + 18 %
    assert "CGST" in flat and "GSTIN 29ABCDE1234F1Z5" in flat and "Bengaluru Makers" in flat
    assert "One thousand, four hundred and seventy-five rupees only" in flat
    assert staff.get(f"{URL}{invoice['id']}/pdf/").status_code == 200


def test_list_query_count_does_not_grow_with_the_page(staff, member):
    for _ in range(3):
        _issued(staff, member)
    counts = []
    for size in (1, 100):
        with CaptureQueriesContext(connection) as queries:
            response = staff.get(f"{URL}?page_size={size}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    tx = []
    for size in (1, 100):
        f.BillableRecordFactory(member=member)
        with CaptureQueriesContext(connection) as queries:
            staff.get(f"/api/v1/makerspace/transactions/?page_size={size}")
        tx.append(len(queries))
    assert tx[0] == tx[1]


def test_transactions_filter_by_kind_and_period(member, staff):
    f.BillableRecordFactory(member=member, kind="usage", occurred_at=dt.datetime(2026, 3, 5, tzinfo=dt.UTC))
    f.BillableRecordFactory(member=member, kind="fee", occurred_at=dt.datetime(2026, 4, 5, tzinfo=dt.UTC))
    f.BillableRecordFactory(kind="fee")  # someone else's, elsewhere
    mine = member.client.get("/api/v1/makerspace/transactions/").json()
    assert mine["count"] == 2
    march = staff.get("/api/v1/makerspace/transactions/?period=2026-03").json()["results"]
    assert [row["kind"] for row in march] == ["usage"]
    fees = staff.get("/api/v1/makerspace/transactions/?kind=fee").json()["results"]
    assert len(fees) == 1 and fees[0]["billed"] is False
    assert staff.get("/api/v1/makerspace/transactions/?period=2026-13").status_code == 400
    assert staff.get("/api/v1/makerspace/transactions/?kind=nope").status_code == 400


def test_invoice_detail_shows_payments_json(staff, member):
    invoice = _issued(staff, member)
    staff.post(f"{URL}{invoice['id']}/mark-paid/", {"method": "cash", "reference": "C-1"}, format="json")
    detail = staff.get(f"{URL}{invoice['id']}/").json()
    assert json.loads(json.dumps(detail))["payments"][0]["reference"] == "C-1"
    assert Invoice.objects.get(pk=invoice["id"]).status == "paid"
