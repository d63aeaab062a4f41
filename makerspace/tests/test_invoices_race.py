"""Invoice races on PostgreSQL: gapless unique numbers under concurrent issuing, records billed once under two
concurrent monthly runs, refunds never above what was paid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from makerspace.models import BillableRecord, CreditNote, Invoice, InvoiceLine, InvoicePayment
from makerspace.services import invoice_payments as payment_services
from makerspace.services import invoices as invoice_services
from makerspace.tests import factories as f
from makrx.errors import ConflictError
from makrx.tests.races import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")


def test_twenty_concurrent_issues_get_gapless_unique_numbers():
    space = f.MakerspaceFactory()
    staff = f.MemberFactory(makerspace=space, role="staff").user
    members = [f.MemberFactory(makerspace=space) for _ in range(4)]
    drafts = [
        invoice_services.invoice_draft_create(
            actor=staff, member=members[n % 4], lines=[{"description": f"line {n}", "unit_price": "10"}]
        )
        for n in range(20)
    ]
    outcomes = run_concurrently(lambda i: invoice_services.invoice_issue(invoice=drafts[i], actor=staff), 20)

    assert all(isinstance(outcome, Invoice) for outcome in outcomes), outcomes
    numbers = sorted(Invoice.objects.filter(makerspace=space).values_list("number", flat=True))
    prefix = numbers[0][: len("INV-YYYY-MM-")]
    assert numbers == [f"{prefix}{n:05d}" for n in range(1, 21)]


def test_two_concurrent_monthly_runs_bill_each_record_once():
    space = f.MakerspaceFactory()
    now = dt.datetime(2026, 4, 2, 12, tzinfo=dt.UTC)
    members = [f.MemberFactory(makerspace=space) for _ in range(15)]
    for member in members:
        for day in (3, 10, 20):
            f.BillableRecordFactory(member=member, occurred_at=dt.datetime(2026, 3, day, tzinfo=dt.UTC))

    outcomes = run_concurrently(lambda i: invoice_services.invoices_draft_monthly(now=now), 2, reraise=True)

    assert sum(outcomes) == 15
    assert Invoice.objects.count() == 15
    assert InvoiceLine.objects.filter(record__isnull=False).count() == BillableRecord.objects.count() == 45
    assert set(Invoice.objects.values_list("member_id", flat=True)) == {member.pk for member in members}


def test_concurrent_refunds_never_exceed_what_was_paid():
    space = f.MakerspaceFactory()
    staff = f.MemberFactory(makerspace=space, role="staff").user
    member = f.MemberFactory(makerspace=space)
    draft = invoice_services.invoice_draft_create(
        actor=staff, member=member, lines=[{"description": "Fee", "unit_price": "100"}]
    )  # 118.00 with 18 %
    invoice = invoice_services.invoice_issue(invoice=draft, actor=staff)
    payment_services.invoice_mark_paid(invoice=invoice, actor=staff, method="cash", reference="R-1")

    outcomes = run_concurrently(
        lambda i: payment_services.invoice_refund(invoice=invoice, actor=staff, amount="30.00", destination="wallet"),
        10,
    )

    refused = [outcome for outcome in outcomes if isinstance(outcome, ConflictError)]
    assert len(refused) == 7 and {error.code for error in refused} == {"refund_exceeds_paid"}
    invoice.refresh_from_db()
    assert invoice.amount_refunded == D("90.00") <= invoice.amount_paid == D("118.00")
    assert sum(InvoicePayment.objects.filter(kind="refund").values_list("amount", flat=True)) == D("90.00")
    assert CreditNote.objects.filter(invoice=invoice).count() == 3
    assert member.wallet.balance == D("90.00")
