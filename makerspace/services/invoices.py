"""Invoices: drafts (typed by staff or made from billable records), GST per line, gapless numbers when issued,
void with a credit note, the monthly run and overdue reminders.

Tax: each line's tax is the makerspace's rate (``SpaceSettings.tax_rate_percent``; ``DEFAULT_TAX_RATE`` for a
space without settings) on the line amount, rounded once at the line. Inside one state (the space's state code
equals the member's billing state code, or the member gave none: the supplier's state is then the place of
supply) the tax is CGST + SGST, each half the rate and rounded on its own; across states it is IGST.

Numbers: ``INV-YYYY-MM-nnnnn`` per makerspace and month of issue (the makerspace's calendar), from a counter row
incremented in place by the issuing transaction (``INSERT … ON CONFLICT DO UPDATE … RETURNING``): the row stays
locked until commit, so concurrent issues queue, a rolled-back issue gives its number back, and there are no gaps
and no duplicates. Credit notes use their own series ``CN-YYYY-MM-nnnnn``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from makerspace.models import BillableRecord, CreditNote, DocumentCounter, Invoice, InvoiceLine, Makerspace, Member
from makerspace.selectors import space_settings as space_settings_selectors
from makrx.auth import scoping
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, InvalidTransition, ValidationError
from makrx.money import quantize_money
from makrx.notifications import notify

logger = logging.getLogger(__name__)
Status = Invoice.Status
INVOICE_SERIES = "INV"
CREDIT_SERIES = "CN"
ZERO = Decimal("0.00")
MAX_LINES = 1000


# --- tax ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineTax:
    cgst: Decimal
    sgst: Decimal
    igst: Decimal

    @property
    def total(self) -> Decimal:
        return self.cgst + self.sgst + self.igst


def line_tax(*, amount: Decimal, rate: Decimal, supply: str) -> LineTax:
    """GST of one line: CGST and SGST at half the rate each (inside a state) or IGST at the rate, each rounded."""
    if supply == Invoice.Supply.INTER:
        return LineTax(ZERO, ZERO, quantize_money(amount * rate / 100))
    half = quantize_money(amount * rate / 200)
    return LineTax(half, half, ZERO)


def supply_for(*, makerspace: Makerspace, member: Member) -> tuple[str, str]:
    """(supply, place of supply): IGST only when both state codes are known and differ."""
    space_state = makerspace.state_code.strip()
    customer_state = member.billing_state_code.strip() or space_state
    if space_state and customer_state and space_state != customer_state:
        return Invoice.Supply.INTER, customer_state
    return Invoice.Supply.INTRA, customer_state


def tax_rate_for(*, makerspace_id: int) -> Decimal:
    row = space_settings_selectors.space_settings_for(makerspace_id=makerspace_id)
    if row.pk is None:
        return Decimal(settings.DEFAULT_TAX_RATE)
    return Decimal(row.tax_rate_percent)


def _line(*, description: str, quantity, unit_price, rate: Decimal, supply: str, position: int, record=None):
    quantity = Decimal(quantity)
    unit_price = quantize_money(Decimal(unit_price))
    amount = quantize_money(quantity * unit_price)
    tax = line_tax(amount=amount, rate=rate, supply=supply)
    return InvoiceLine(
        position=position,
        description=description[:300],
        quantity=quantity,
        unit_price=unit_price,
        amount=amount,
        tax_rate=rate,
        cgst=tax.cgst,
        sgst=tax.sgst,
        igst=tax.igst,
        line_total=amount + tax.total,
        record=record,
    )


# Money columns hold 10 digits before the point: a total beyond this is refused (400), never a database error.
MAX_TOTAL = Decimal("1000000000")


def _totals(lines: list[InvoiceLine]) -> tuple[Decimal, Decimal]:
    """``(subtotal, tax)`` of an invoice's lines; 400 when they would not fit the invoice's money columns."""
    if sum((abs(line.line_total) for line in lines), ZERO) >= MAX_TOTAL:
        raise ValidationError("The invoice's amounts are too large.", errors={"lines": ["Too large."]})
    return sum((line.amount for line in lines), ZERO), sum((line.cgst + line.sgst + line.igst for line in lines), ZERO)


def _store_lines(invoice: Invoice, lines: list[InvoiceLine]) -> Invoice:
    invoice.subtotal, invoice.tax_total = _totals(lines)
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)
    invoice.total = invoice.subtotal + invoice.tax_total
    invoice.save(update_fields=["subtotal", "tax_total", "total", "updated_at"])
    return invoice


def _new_invoice(*, member: Member, actor, period_from=None, period_to=None, notes: str = "") -> tuple[Invoice, str]:
    makerspace = member.makerspace
    supply, place = supply_for(makerspace=makerspace, member=member)
    currency = space_settings_selectors.space_settings_for(makerspace_id=makerspace.pk).currency
    invoice = Invoice.objects.create(
        makerspace=makerspace,
        member=member,
        currency=currency,
        period_from=period_from,
        period_to=period_to,
        supply=supply,
        supplier_state_code=makerspace.state_code,
        place_of_supply=place,
        notes=notes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return invoice, supply


# --- drafts ------------------------------------------------------------------------------------------------------


@transaction.atomic
def invoice_draft_create(*, actor, member: Member, lines: list[dict], notes: str = "") -> Invoice:
    """Staff type a draft: ``lines`` of ``{description, quantity, unit_price}`` (no billable records)."""
    scoping.makerspace_staff_require(user=actor, makerspace_id=member.makerspace_id)
    if not lines:
        raise ValidationError("An invoice needs at least one line.", errors={"lines": ["At least one line."]})
    if len(lines) > MAX_LINES:
        raise ValidationError("Too many lines.", errors={"lines": [f"At most {MAX_LINES}."]})
    invoice, supply = _new_invoice(member=member, actor=actor, notes=notes)
    rate = tax_rate_for(makerspace_id=member.makerspace_id)
    built = [
        _line(
            description=line["description"],
            quantity=line.get("quantity", 1),
            unit_price=line["unit_price"],
            rate=rate,
            supply=supply,
            position=index,
        )
        for index, line in enumerate(lines, start=1)
    ]
    return _store_lines(invoice, built)


def _period_bounds(makerspace: Makerspace, period_from: dt.date, period_to: dt.date) -> tuple[dt.datetime, ...]:
    tz = makerspace.tzinfo
    start = dt.datetime.combine(period_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def unbilled_records(*, member_id: int | None, start: dt.datetime, end: dt.datetime):
    """The member's (``None``: every member's) records in [start, end) not on any invoice line yet, oldest first."""
    billed = InvoiceLine.objects.filter(record_id=OuterRef("pk"))
    queryset = BillableRecord.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    if member_id is not None:
        queryset = queryset.filter(member_id=member_id)
    return queryset.filter(~Exists(billed)).order_by("occurred_at", "id")


def _draft_from_records(*, member: Member, period_from: dt.date, period_to: dt.date, actor) -> Invoice | None:
    """Inside a transaction that holds the member's row lock: a draft of the member's unbilled records, or None.

    The lock serialises drafting per member, and each statement after it sees what an earlier drafter committed;
    the lines' one-to-one link to their records is the database's last word (a second link fails, nothing is
    written twice).
    """
    start, end = _period_bounds(member.makerspace, period_from, period_to)
    records = list(unbilled_records(member_id=member.pk, start=start, end=end))
    if not records:
        return None
    return draft_for_records(member=member, records=records, actor=actor, period_from=period_from, period_to=period_to)


def _record_lines(records, *, rate, supply) -> list:
    """One line per billable record, in order, taxed at ``rate`` for the supply (inside or across states)."""
    return [
        _line(
            description=record.description,
            quantity=record.quantity,
            unit_price=record.unit_price,
            rate=rate,
            supply=supply,
            position=index,
            record=record,
        )
        for index, record in enumerate(records, start=1)
    ]


def draft_for_records(*, member: Member, records: list, actor, period_from=None, period_to=None) -> Invoice:
    """A draft of these (unbilled) records, one line each; no permission check (callers check)."""
    invoice, supply = _new_invoice(member=member, actor=actor, period_from=period_from, period_to=period_to)
    rate = tax_rate_for(makerspace_id=member.makerspace_id)
    return _store_lines(invoice, _record_lines(records, rate=rate, supply=supply))


def _lock_member(member: Member) -> Member:
    return Member.objects.select_for_update(of=("self",)).select_related("makerspace", "user").get(pk=member.pk)


@transaction.atomic
def invoice_draft_from_records(*, actor, member: Member, period_from: dt.date, period_to: dt.date) -> Invoice:
    """Staff draft the member's unbilled records of a period (dates in the makerspace's calendar, inclusive)."""
    scoping.makerspace_staff_require(user=actor, makerspace_id=member.makerspace_id)
    if period_from > period_to:
        raise ValidationError("The period ends before it starts.", errors={"period_to": ["Before period_from."]})
    locked = _lock_member(member)
    invoice = _draft_from_records(member=locked, period_from=period_from, period_to=period_to, actor=actor)
    if invoice is None:
        raise ConflictError("The member has nothing unbilled in that period.", code="nothing_to_bill")
    return invoice


# --- numbering ---------------------------------------------------------------------------------------------------


def document_number(*, makerspace: Makerspace, series: str, at: dt.datetime) -> str:
    """The next number of ``series`` for the makerspace's month of ``at``; call inside the issuing transaction."""
    local = at.astimezone(makerspace.tzinfo)
    table = connection.ops.quote_name(DocumentCounter._meta.db_table)
    # Only the table name (model metadata) is interpolated; every value is a bound parameter.
    sql = (
        f"INSERT INTO {table} (makerspace_id, series, year, month, last) VALUES (%s, %s, %s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (makerspace_id, series, year, month) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [makerspace.pk, series, local.year, local.month])
        (number,) = cursor.fetchone()
    return f"{series}-{local.year:04d}-{local.month:02d}-{number:05d}"


# --- issue and void ----------------------------------------------------------------------------------------------


def invoice_lock(invoice: Invoice) -> Invoice:
    return (
        Invoice.objects.select_for_update(of=("self",)).select_related("makerspace", "member__user").get(pk=invoice.pk)
    )


def _due_days() -> int:
    return int(getattr(settings, "INVOICE_DUE_DAYS", 14))


def invoice_notice_context(invoice: Invoice) -> dict:
    return {
        "number": invoice.number or "",
        "makerspace": invoice.makerspace.name,
        "total": str(invoice.total),
        "amount_due": str(invoice.amount_due),
        "currency": invoice.currency,
        "due_on": invoice.due_on.isoformat() if invoice.due_on else "",
        "invoice_id": invoice.pk,
    }


@transaction.atomic
def invoice_issue(*, invoice: Invoice, actor) -> Invoice:
    """Number and issue a draft (staff, or ``SYSTEM``); the member is notified after commit."""
    locked = invoice_lock(invoice)
    if actor is not SYSTEM:
        scoping.makerspace_staff_require(user=actor, makerspace_id=locked.makerspace_id)
    if locked.status != Status.DRAFT:
        raise InvalidTransition(f"A {locked.get_status_display().lower()} invoice cannot be issued.")
    if not locked.lines.exists():
        raise ConflictError("An invoice without lines cannot be issued.", code="invoice_empty")
    if locked.total < 0:
        raise ConflictError("An invoice cannot total less than zero; credit the member instead.", code="negative_total")
    now = timezone.now()
    locked.number = document_number(makerspace=locked.makerspace, series=INVOICE_SERIES, at=now)
    locked.status = Status.ISSUED
    locked.issued_at = now
    locked.due_on = now.astimezone(locked.makerspace.tzinfo).date() + dt.timedelta(days=_due_days())
    if locked.total == 0:
        locked.status, locked.paid_at = Status.PAID, now
    locked.save(update_fields=["number", "status", "issued_at", "due_on", "paid_at", "updated_at"])
    notify(locked.member.user, "invoice.issued", invoice_notice_context(locked), makerspace=locked.makerspace_id)
    return locked


def credit_note_write(*, invoice: Invoice, total: Decimal, reason: str, actor) -> CreditNote:
    """A credit note of ``total`` against a locked, issued invoice (tax in the invoice's proportion)."""
    tax = quantize_money(total * invoice.tax_total / invoice.total) if invoice.total else ZERO
    note = CreditNote.objects.create(
        invoice=invoice,
        makerspace=invoice.makerspace,
        number=document_number(makerspace=invoice.makerspace, series=CREDIT_SERIES, at=timezone.now()),
        subtotal=total - tax,
        tax_total=tax,
        total=total,
        currency=invoice.currency,
        reason=reason[:500],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    invoice.amount_credited += total
    return note


@transaction.atomic
def invoice_void(*, invoice: Invoice, actor, reason: str = "") -> Invoice:
    """Void a draft (nothing else happens) or an issued invoice with nothing paid (a credit note for its total).

    Its billable records are released (the lines keep their text), so they can be billed again on a corrected
    invoice. An invoice with money paid on it is refunded first (409 ``invoice_has_payments``); a paid one
    cannot be voided (409 ``invalid_transition``).
    """
    locked = invoice_lock(invoice)
    scoping.makerspace_staff_require(user=actor, makerspace_id=locked.makerspace_id)
    if locked.status not in (Status.DRAFT, Status.ISSUED):
        raise InvalidTransition(f"A {locked.get_status_display().lower()} invoice cannot be voided.")
    if locked.amount_paid - locked.amount_refunded > 0:
        raise ConflictError("Refund the payments on this invoice before voiding it.", code="invoice_has_payments")
    if locked.status == Status.ISSUED:
        remaining = locked.total - locked.amount_credited
        if remaining > 0:
            credit_note_write(invoice=locked, total=remaining, reason=reason or "Invoice voided", actor=actor)
    InvoiceLine.objects.filter(invoice=locked).update(record=None)
    locked.status = Status.VOID
    locked.voided_at = timezone.now()
    locked.void_reason = reason[:500]
    locked.save(update_fields=["status", "voided_at", "void_reason", "amount_credited", "updated_at"])
    return locked


# --- scheduled runs ----------------------------------------------------------------------------------------------


def previous_month(today: dt.date) -> tuple[dt.date, dt.date]:
    first_this = today.replace(day=1)
    last_previous = first_this - dt.timedelta(days=1)
    return last_previous.replace(day=1), last_previous


RUN_CHUNK = 200


def _draft_chunk(*, makerspace: Makerspace, member_ids: list[int], start, end, period_from, period_to) -> list[Invoice]:
    """Inside a transaction: lock a chunk of members (in id order), then draft each one's unbilled records in a
    few statements for the whole chunk (one lock, one read, two bulk inserts), whatever the number of records."""
    members = {
        member.pk: member
        for member in Member.objects.select_for_update(of=("self",)).filter(pk__in=member_ids).order_by("pk")
    }
    by_member: dict[int, list[BillableRecord]] = {}
    records = unbilled_records(member_id=None, start=start, end=end).filter(member_id__in=list(members))
    for record in records:
        by_member.setdefault(record.member_id, []).append(record)
    rate = tax_rate_for(makerspace_id=makerspace.pk)
    currency = space_settings_selectors.space_settings_for(makerspace_id=makerspace.pk).currency
    invoices, lines_of = [], []
    for member_id, member_records in by_member.items():
        member = members[member_id]
        member.makerspace = makerspace
        supply, place = supply_for(makerspace=makerspace, member=member)
        lines = _record_lines(member_records, rate=rate, supply=supply)
        subtotal, tax = _totals(lines)  # too large: the chunk is redone member by member
        invoices.append(
            Invoice(
                makerspace=makerspace,
                member=member,
                currency=currency,
                period_from=period_from,
                period_to=period_to,
                supply=supply,
                supplier_state_code=makerspace.state_code,
                place_of_supply=place,
                subtotal=subtotal,
                tax_total=tax,
                total=subtotal + tax,
            )
        )
        lines_of.append(lines)
    Invoice.objects.bulk_create(invoices)
    for invoice, lines in zip(invoices, lines_of, strict=True):
        for line in lines:
            line.invoice = invoice
    InvoiceLine.objects.bulk_create([line for lines in lines_of for line in lines], batch_size=5000)
    return invoices


def invoices_draft_monthly(*, now: dt.datetime | None = None, issue: bool = False) -> int:
    """Draft every member's unbilled records of the previous month (each makerspace's own calendar).

    Members are drafted in chunks of ``RUN_CHUNK``, each chunk one transaction holding its members' row locks
    (taken in id order, so concurrent runs never deadlock); the records are read after the locks are held, so a
    second run, waiting on the locks, sees what the first committed and drafts nothing twice; the line → record
    unique link is the last word (a chunk that hits it is rolled back and redone member by member). Running twice
    drafts nothing new. With ``issue`` the drafts are issued at once (``INVOICE_AUTO_ISSUE``). Returns the number
    of invoices drafted.
    """
    now = now or timezone.now()
    drafted = 0
    for makerspace in Makerspace.objects.order_by("pk"):
        period_from, period_to = previous_month(now.astimezone(makerspace.tzinfo).date())
        start, end = _period_bounds(makerspace, period_from, period_to)
        billed = InvoiceLine.objects.filter(record_id=OuterRef("pk"))
        member_ids = list(
            BillableRecord.objects.filter(makerspace=makerspace, occurred_at__gte=start, occurred_at__lt=end)
            .filter(~Exists(billed))
            .values_list("member_id", flat=True)
            .distinct()
            .order_by("member_id")
        )
        for offset in range(0, len(member_ids), RUN_CHUNK):
            chunk = member_ids[offset : offset + RUN_CHUNK]
            try:
                with transaction.atomic():
                    invoices = _draft_chunk(
                        makerspace=makerspace,
                        member_ids=chunk,
                        start=start,
                        end=end,
                        period_from=period_from,
                        period_to=period_to,
                    )
                    for invoice in invoices if issue else ():
                        invoice_issue(invoice=invoice, actor=SYSTEM)
                drafted += len(invoices)
            except (IntegrityError, ValidationError):
                drafted += _draft_one_by_one(chunk, period_from=period_from, period_to=period_to, issue=issue)
    return drafted


def _draft_one_by_one(member_ids: list[int], *, period_from, period_to, issue: bool) -> int:
    drafted = 0
    for member_id in member_ids:
        try:
            with transaction.atomic():
                member = _lock_member(Member(pk=member_id))
                invoice = _draft_from_records(member=member, period_from=period_from, period_to=period_to, actor=SYSTEM)
                if invoice is not None and issue:
                    invoice_issue(invoice=invoice, actor=SYSTEM)
        except IntegrityError:
            # A concurrent drafter linked one of these records first: its invoice stands, this one is undone.
            continue
        except ValidationError as exc:  # too large for one invoice: its records stay unbilled, staff see them
            logger.warning("monthly invoices: member %s not drafted: %s", member_id, exc.detail)
            continue
        drafted += invoice is not None
    return drafted


def invoices_overdue_notify(*, now: dt.datetime | None = None) -> int:
    """Remind members once of issued invoices past their due date (``overdue_notified_at``); returns how many."""
    now = now or timezone.now()
    due = Invoice.objects.filter(
        Q(status=Status.ISSUED) & Q(overdue_notified_at__isnull=True) & Q(due_on__lt=now.date())
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            locked = Invoice.objects.select_for_update(of=("self",)).select_related("makerspace", "member__user")
            invoice = locked.filter(pk=pk, status=Status.ISSUED, overdue_notified_at__isnull=True).first()
            if invoice is None or invoice.due_on >= now.astimezone(invoice.makerspace.tzinfo).date():
                continue
            invoice.overdue_notified_at = now
            invoice.save(update_fields=["overdue_notified_at", "updated_at"])
            notify(
                invoice.member.user,
                "invoice.overdue",
                invoice_notice_context(invoice),
                makerspace=invoice.makerspace_id,
            )
            sent += 1
    return sent
