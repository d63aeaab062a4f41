"""Admin screens of billing: invoices with inlines and document links, actions through the services, scoped to the
manager's makerspaces; transactions filterable by kind and period; wallets with their ledger."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from pypdf import PdfReader

from makerspace.models import Invoice
from makerspace.services import invoices as invoice_services
from makerspace.services import wallet as wallet_services
from makerspace.tests import factories as f
from makrx.auth.scoping import SYSTEM

pytestmark = pytest.mark.django_db
ADMIN = "/admin/makerspace"


@pytest.fixture
def spaces(make_user):
    a, b = f.MakerspaceFactory(name="Alpha"), f.MakerspaceFactory(name="Beta")
    manager = make_user("manager_a", roles=["makerspace_admin"])
    f.MemberFactory(user=manager, makerspace=a, role="manager")
    client = Client()
    client.force_login(manager)
    return a, b, manager, client


def _draft(space, actor=None):
    member = f.MemberFactory(makerspace=space)
    actor = actor or f.MemberFactory(makerspace=space, role="staff").user
    return invoice_services.invoice_draft_create(
        actor=actor, member=member, lines=[{"description": "Laser time", "quantity": "1", "unit_price": "100"}]
    )


def test_issue_and_mark_paid_actions_go_through_the_services_and_stay_in_scope(spaces):
    a, b, manager, client = spaces
    mine, elsewhere = _draft(a), _draft(b)
    client.post(f"{ADMIN}/invoice/", {"action": "issue_invoices", "_selected_action": [mine.pk, elsewhere.pk]})
    mine.refresh_from_db()
    elsewhere.refresh_from_db()
    assert mine.status == "issued" and mine.number and elsewhere.status == "draft"
    client.post(
        f"{ADMIN}/invoice/",
        {"action": "mark_paid", "_selected_action": [mine.pk], "apply": "1", "method": "cash", "reference": "R-9"},
    )
    mine.refresh_from_db()
    assert mine.status == "paid" and mine.payments.get().method == "cash"
    page = client.get(f"{ADMIN}/invoice/{mine.pk}/change/")
    assert page.status_code == 200 and b"Laser time" in page.content and b"R-9" in page.content
    assert client.get(f"{ADMIN}/invoice/{elsewhere.pk}/change/").status_code in (302, 404)
    listing = client.get(f"{ADMIN}/invoice/").content.decode()
    assert mine.number in listing and "Draft invoice" not in listing


def test_admin_shows_and_downloads_the_document(spaces):
    a, b, manager, client = spaces
    invoice = invoice_services.invoice_issue(invoice=_draft(a), actor=SYSTEM)
    html = client.get(f"{ADMIN}/invoice/{invoice.pk}/html/")
    assert html.status_code == 200 and invoice.number.encode() in html.content
    pdf = client.get(f"{ADMIN}/invoice/{invoice.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and "attachment" in pdf["Content-Disposition"]
    assert invoice.number in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    other = invoice_services.invoice_issue(invoice=_draft(b), actor=SYSTEM)
    assert client.get(f"{ADMIN}/invoice/{other.pk}/pdf/").status_code == 404


def test_void_action_asks_a_reason_then_writes_a_credit_note(spaces):
    a, b, manager, client = spaces
    invoice = invoice_services.invoice_issue(invoice=_draft(a), actor=SYSTEM)
    asked = client.post(f"{ADMIN}/invoice/", {"action": "void_invoices", "_selected_action": [invoice.pk]})
    assert asked.status_code == 200 and b"reason" in asked.content
    client.post(
        f"{ADMIN}/invoice/",
        {"action": "void_invoices", "_selected_action": [invoice.pk], "apply": "1", "reason": "duplicate"},
    )
    invoice.refresh_from_db()
    assert invoice.status == "void" and invoice.credit_notes.count() == 1


def test_transactions_filter_by_kind_and_wallet_ledger_inline(spaces):
    a, b, manager, client = spaces
    member = f.MemberFactory(makerspace=a)
    f.BillableRecordFactory(member=member, kind="usage", description="Printer 40 min")
    f.BillableRecordFactory(member=member, kind="fee", description="Locker fee")
    f.BillableRecordFactory(kind="fee", description="Elsewhere fee")
    page = client.get(f"{ADMIN}/billablerecord/?kind__exact=fee").content.decode()
    assert "Locker fee" in page and "Printer 40 min" not in page and "Elsewhere fee" not in page
    wallet_services.wallet_credit(
        member=member, amount=Decimal("50"), kind="top_up", actor=SYSTEM, description="Desk top-up"
    )
    wallet = member.wallet
    change = client.get(f"{ADMIN}/wallet/{wallet.pk}/change/")
    assert change.status_code == 200 and b"Desk top-up" in change.content
    assert Invoice.objects.count() == 0
