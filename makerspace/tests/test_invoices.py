"""Invoices: GST per line against hand calculations, totals, numbering, void with credit notes, the monthly run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from makerspace.models import BillableRecord, CreditNote, Invoice, InvoiceLine, SpaceSettings
from makerspace.services import invoices as invoice_services
from makerspace.tests import factories as f
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, InvalidTransition, PermissionDenied
from makrx.models import Notification

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def space():
    return f.MakerspaceFactory(state_code="29", gstin="29ABCDE1234F1Z5", timezone="Asia/Kolkata")


@pytest.fixture
def staff(space):
    return f.MemberFactory(makerspace=space, role="staff").user


@pytest.fixture
def member(space):
    return f.MemberFactory(makerspace=space, billing_state_code="29")


def test_intra_state_lines_split_cgst_and_sgst_rounded_once_per_line(staff, member):
    # given 18 % (no settings row: DEFAULT_TAX_RATE) and a customer in the space's state
    invoice = invoice_services.invoice_draft_create(
        actor=staff,
        member=member,
        lines=[
            {"description": "Laser time", "quantity": "1.5", "unit_price": "333.33"},  # 499.995 -> 500.00
            {"description": "Acrylic sheet", "quantity": "3", "unit_price": "45.55"},  # 136.65
        ],
    )
    # then by hand: 500.00 × 9 % = 45.00 each; 136.65 × 9 % = 12.2985 -> 12.30 each
    lines = list(invoice.lines.order_by("position"))
    assert [(line.amount, line.cgst, line.sgst, line.igst) for line in lines] == [
        (D("500.00"), D("45.00"), D("45.00"), D("0.00")),
        (D("136.65"), D("12.30"), D("12.30"), D("0.00")),
    ]
    assert lines[1].line_total == D("161.25")
    invoice.refresh_from_db()
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (D("636.65"), D("114.60"), D("751.25"))
    assert invoice.supply == "intra" and invoice.number is None and invoice.status == "draft"


def test_inter_state_customer_pays_igst(staff, space):
    member = f.MemberFactory(makerspace=space, billing_state_code="27")
    invoice = invoice_services.invoice_draft_create(
        actor=staff, member=member, lines=[{"description": "CNC", "quantity": "1", "unit_price": "136.65"}]
    )
    line = invoice.lines.get()
    # 136.65 × 18 % = 24.597 -> 24.60 (one rounding, not two halves)
    assert (line.cgst, line.sgst, line.igst, line.line_total) == (D("0.00"), D("0.00"), D("24.60"), D("161.25"))
    assert (invoice.supply, invoice.place_of_supply) == ("inter", "27")


def test_space_rate_applies_and_unknown_customer_state_is_intra(staff, space):
    SpaceSettings.objects.create(makerspace=space, tax_rate_percent=D("12"))
    member = f.MemberFactory(makerspace=space)
    invoice = invoice_services.invoice_draft_create(
        actor=staff, member=member, lines=[{"description": "Fee", "unit_price": "100"}]
    )
    line = invoice.lines.get()
    assert (line.tax_rate, line.cgst, line.sgst, invoice.total) == (D("12"), D("6.00"), D("6.00"), D("112.00"))


def test_database_refuses_totals_that_do_not_add_up(staff, member):
    invoice = invoice_services.invoice_draft_create(
        actor=staff, member=member, lines=[{"description": "Fee", "unit_price": "100"}]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(total=D("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.filter(invoice=invoice).update(cgst=D("1.00"))


def test_members_and_other_spaces_staff_cannot_draft(member, space):
    other_staff = f.MemberFactory(role="staff").user
    for actor in (member.user, other_staff):
        with pytest.raises(PermissionDenied):
            invoice_services.invoice_draft_create(
                actor=actor, member=member, lines=[{"description": "Fee", "unit_price": "1"}]
            )


def test_issue_numbers_per_space_and_month_and_notifies(staff, member, space):
    drafts = [
        invoice_services.invoice_draft_create(
            actor=staff, member=member, lines=[{"description": "x", "unit_price": "10"}]
        )
        for _ in range(2)
    ]
    issued = [invoice_services.invoice_issue(invoice=draft, actor=staff) for draft in drafts]
    month = timezone.now().astimezone(space.tzinfo).strftime("%Y-%m")
    assert [invoice.number for invoice in issued] == [f"INV-{month}-00001", f"INV-{month}-00002"]
    assert issued[0].due_on is not None and issued[0].status == "issued"
    assert Notification.objects.filter(user=member.user, kind="invoice.issued").count() == 2
    # another makerspace starts its own series
    other = f.MemberFactory()
    other_staff = f.MemberFactory(makerspace=other.makerspace, role="staff").user
    draft = invoice_services.invoice_draft_create(
        actor=other_staff, member=other, lines=[{"description": "x", "unit_price": "10"}]
    )
    assert invoice_services.invoice_issue(invoice=draft, actor=other_staff).number.endswith("-00001")
    with pytest.raises(InvalidTransition):
        invoice_services.invoice_issue(invoice=issued[0], actor=staff)


def test_void_issued_writes_credit_note_and_releases_records(staff, member):
    record = f.BillableRecordFactory(member=member, unit_price=D("200.00"))
    today = timezone.now().date()
    draft = invoice_services.invoice_draft_from_records(
        actor=staff, member=member, period_from=today - dt.timedelta(days=1), period_to=today + dt.timedelta(days=1)
    )
    invoice = invoice_services.invoice_issue(invoice=draft, actor=staff)
    voided = invoice_services.invoice_void(invoice=invoice, actor=staff, reason="wrong member")
    note = CreditNote.objects.get(invoice=invoice)
    assert voided.status == "void" and voided.number == invoice.number
    assert note.number.startswith("CN-") and note.number.endswith("-00001")
    assert (note.total, note.subtotal, note.tax_total) == (D("236.00"), D("200.00"), D("36.00"))
    assert not InvoiceLine.objects.filter(record=record).exists()
    # the record is billable again
    again = invoice_services.invoice_draft_from_records(
        actor=staff, member=member, period_from=today - dt.timedelta(days=1), period_to=today + dt.timedelta(days=1)
    )
    assert again.lines.get().record_id == record.pk
    with pytest.raises(InvalidTransition):
        invoice_services.invoice_void(invoice=voided, actor=staff)


def test_a_record_is_on_one_invoice_line_at_most(staff, member):
    record = f.BillableRecordFactory(member=member)
    invoice = invoice_services.invoice_draft_create(
        actor=staff, member=member, lines=[{"description": "x", "unit_price": "1"}]
    )
    InvoiceLine.objects.filter(invoice=invoice).update(record=record)
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.create(
            invoice=invoice, description="dup", unit_price=1, amount=1, line_total=1, record=record
        )


def test_draft_from_records_with_nothing_unbilled_is_409(staff, member):
    today = timezone.now().date()
    with pytest.raises(ConflictError) as caught:
        invoice_services.invoice_draft_from_records(actor=staff, member=member, period_from=today, period_to=today)
    assert caught.value.code == "nothing_to_bill"


def test_monthly_run_drafts_previous_month_once(space, member):
    tz = space.tzinfo
    now = dt.datetime(2026, 4, 3, 10, tzinfo=tz)
    in_march = [dt.datetime(2026, 3, 1, 0, 5, tzinfo=tz), dt.datetime(2026, 3, 31, 23, 55, tzinfo=tz)]
    for at in in_march:
        f.BillableRecordFactory(member=member, occurred_at=at, unit_price=D("50.00"))
    f.BillableRecordFactory(member=member, occurred_at=dt.datetime(2026, 4, 1, 0, 1, tzinfo=tz))  # April: later
    f.BillableRecordFactory(member=member, occurred_at=dt.datetime(2026, 2, 28, 23, 59, tzinfo=tz))  # earlier
    assert invoice_services.invoices_draft_monthly(now=now) == 1
    invoice = Invoice.objects.get(member=member)
    assert (invoice.period_from, invoice.period_to) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert invoice.lines.count() == 2 and invoice.subtotal == D("100.00") and invoice.total == D("118.00")
    assert invoice_services.invoices_draft_monthly(now=now) == 0
    assert Invoice.objects.count() == 1


def test_monthly_run_skips_a_member_too_large_for_one_invoice_and_drafts_the_others(space, member):
    tz = space.tzinfo
    now = dt.datetime(2026, 4, 3, 10, tzinfo=tz)
    march = dt.datetime(2026, 3, 10, 12, tzinfo=tz)
    huge = f.MemberFactory(makerspace=space)
    for _ in range(2):  # each fits a record; together they would overflow the invoice's money columns
        f.BillableRecordFactory(member=huge, occurred_at=march, unit_price=D("600000000.00"))
    f.BillableRecordFactory(member=member, occurred_at=march, unit_price=D("50.00"))
    assert invoice_services.invoices_draft_monthly(now=now) == 1
    assert list(Invoice.objects.values_list("member_id", flat=True)) == [member.pk]
    assert BillableRecord.objects.filter(member=huge, invoice_line__isnull=True).count() == 2  # still unbilled


def test_overdue_invoices_are_notified_once(staff, member):
    draft = invoice_services.invoice_draft_create(
        actor=staff, member=member, lines=[{"description": "x", "unit_price": "10"}]
    )
    invoice_services.invoice_issue(invoice=draft, actor=SYSTEM)
    later = timezone.now() + dt.timedelta(days=30)
    assert invoice_services.invoices_overdue_notify(now=later) == 1
    assert invoice_services.invoices_overdue_notify(now=later) == 0
    assert Notification.objects.filter(user=member.user, kind="invoice.overdue").count() == 1
    assert BillableRecord.objects.count() == 0


def test_scheduled_tasks_draft_and_remind(space, member, settings):
    from makerspace import tasks

    settings.INVOICE_AUTO_ISSUE = True
    last_month = (timezone.now().astimezone(space.tzinfo).replace(day=1) - dt.timedelta(days=3)).replace(hour=12)
    f.BillableRecordFactory(member=member, occurred_at=last_month)
    assert tasks.draft_monthly_invoices_task.delay().get() == 1
    assert tasks.draft_monthly_invoices_task.delay().get() == 0
    invoice = Invoice.objects.get()
    assert invoice.status == "issued" and invoice.number.startswith("INV-")
    assert tasks.notify_overdue_invoices_task.delay().get() == 0
