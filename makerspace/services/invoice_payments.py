"""Money on invoices: payments (wallet, gateways, staff-recorded offline) and refunds, with the invoice's state
following (``issued → paid``; a refund writes a credit note, and an invoice credited in full is ``void``).

Every change locks the invoice row first, so concurrent payments and refunds queue and each sees the amounts the
previous one committed: a refund never returns more than was paid (``invoice_refunds_within_paid`` and each
payment's ``invoice_payment_refunded_within_amount`` are the database's backstops).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from makerspace.models import Invoice, InvoicePayment, Member, WalletEntry
from makerspace.services import wallet as wallet_services
from makerspace.services.invoices import _lock, credit_note_write, invoice_notice_context
from makrx.auth import scoping
from makrx.errors import ConflictError, InvalidTransition, PermissionDenied, ValidationError
from makrx.money import quantize_money
from makrx.notifications import notify

Status = Invoice.Status
Method = InvoicePayment.Method
OFFLINE_METHODS = (Method.CASH, Method.BANK_TRANSFER, Method.UPI_OFFLINE)
GATEWAYS = (Method.RAZORPAY, Method.STRIPE)
ZERO = Decimal("0.00")


def _amount(value, field: str = "amount") -> Decimal:
    try:
        amount = quantize_money(Decimal(value))
    except (ArithmeticError, TypeError, ValueError):
        raise ValidationError("Not an amount.", errors={field: ["Not an amount."]}) from None
    if amount <= 0:
        raise ValidationError("The amount must be positive.", errors={field: ["Must be greater than 0."]})
    return amount


def invoice_payer_require(*, actor, invoice: Invoice) -> None:
    """The invoice's member (its own user) or staff of its makerspace."""
    member_user_id = Member.objects.filter(pk=invoice.member_id).values_list("user_id", flat=True).first()
    if getattr(actor, "pk", None) is not None and actor.pk == member_user_id:
        return
    if not scoping.can_staff_makerspace(actor, invoice.makerspace_id):
        raise PermissionDenied(
            "Only the invoiced member or staff of the makerspace may pay it.", code=scoping.NOT_STAFF
        )


def _payable(locked: Invoice) -> None:
    if locked.status != Status.ISSUED:
        raise InvalidTransition(f"A {locked.get_status_display().lower()} invoice cannot be paid.")


def payment_apply_locked(
    *,
    invoice: Invoice,
    amount: Decimal,
    method: str,
    actor,
    reference: str = "",
    payment_id: int | None = None,
    wallet_entry: WalletEntry | None = None,
) -> InvoicePayment:
    """Book money received on a locked, issued invoice; ``paid`` once nothing is owed. Money beyond what is owed
    (a gateway capture cannot be refused) is credited to the member's wallet."""
    owed = invoice.amount_due
    booked = min(amount, owed) if owed > 0 else ZERO
    excess = amount - booked
    payment = None
    if booked > 0:
        payment = InvoicePayment.objects.create(
            invoice=invoice,
            kind=InvoicePayment.Kind.PAYMENT,
            method=method,
            amount=booked,
            currency=invoice.currency,
            reference=reference[:200],
            payment_id=payment_id,
            wallet_entry=wallet_entry,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
        invoice.amount_paid += booked
    if excess > 0:
        wallet_services.wallet_credit(
            member=invoice.member,
            amount=excess,
            kind=WalletEntry.Kind.REFUND,
            actor=actor,
            description=f"Overpayment of {invoice.number}",
            reference=reference,
        )
    update = ["amount_paid", "updated_at"]
    if invoice.amount_due <= 0 and invoice.status == Status.ISSUED:
        invoice.status, invoice.paid_at = Status.PAID, timezone.now()
        update += ["status", "paid_at"]
    invoice.save(update_fields=update)
    notify(
        invoice.member.user,
        "invoice.payment_received",
        {**invoice_notice_context(invoice), "amount": str(amount), "method": method},
        makerspace=invoice.makerspace_id,
    )
    return payment


@transaction.atomic
def invoice_pay_with_wallet(*, invoice: Invoice, actor) -> InvoicePayment:
    """Pay what is owed from the member's wallet: 409 ``insufficient_credit`` (nothing written) when short."""
    locked = _lock(invoice)
    invoice_payer_require(actor=actor, invoice=locked)
    _payable(locked)
    owed = locked.amount_due
    entry = wallet_services.wallet_charge(
        member=locked.member, amount=owed, actor=actor, description=f"Invoice {locked.number}", reference=locked.number
    )
    return payment_apply_locked(
        invoice=locked, amount=owed, method=Method.WALLET, actor=actor, reference=locked.number, wallet_entry=entry
    )


@transaction.atomic
def invoice_mark_paid(*, invoice: Invoice, actor, method: str, reference: str, amount=None) -> InvoicePayment:
    """Staff record money taken outside the gateways (cash, bank transfer, UPI); ``amount`` defaults to what is
    owed and may be less (a partial payment), never more."""
    locked = _lock(invoice)
    scoping.makerspace_staff_require(user=actor, makerspace_id=locked.makerspace_id)
    if method not in OFFLINE_METHODS:
        raise ValidationError(
            "Not an offline method.", errors={"method": [f"Choose one of {', '.join(OFFLINE_METHODS)}."]}
        )
    if not reference.strip():
        raise ValidationError("Name the receipt or transfer.", errors={"reference": ["Required."]})
    _payable(locked)
    value = locked.amount_due if amount is None else _amount(amount)
    if value > locked.amount_due:
        raise ValidationError(
            f"Only {locked.amount_due} {locked.currency} is owed.", errors={"amount": ["More than is owed."]}
        )
    return payment_apply_locked(invoice=locked, amount=value, method=method, actor=actor, reference=reference)


def _refund_from(payment: InvoicePayment, amount: Decimal, *, destination: str, actor) -> InvoicePayment:
    """Return ``amount`` of one payment: to the wallet (any method), or to where it came from."""
    if destination == "wallet" or payment.method == Method.WALLET:
        wallet_services.wallet_credit(
            member=payment.invoice.member,
            amount=amount,
            kind=WalletEntry.Kind.REFUND,
            actor=actor,
            description=f"Refund of {payment.invoice.number}",
            reference=payment.invoice.number,
        )
        where = "wallet"
    else:
        where = "original"
        if payment.method in GATEWAYS:
            raise ConflictError(
                "Refunds of gateway payments to the card or UPI account are not available yet; refund to the wallet.",
                code="refund_unavailable",
            )
    InvoicePayment.objects.filter(pk=payment.pk).update(amount_refunded=payment.amount_refunded + amount)
    return InvoicePayment.objects.create(
        invoice=payment.invoice,
        kind=InvoicePayment.Kind.REFUND,
        method=payment.method,
        amount=amount,
        currency=payment.currency,
        reference=payment.reference,
        destination=where,
        refund_of=payment,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def invoice_refund(*, invoice: Invoice, actor, amount, destination: str = "original", reason: str = "") -> Invoice:
    """Staff return money paid on an invoice (full or partial, never more than was paid and not yet refunded).

    The newest payments are refunded first. A credit note of the amount is written; an invoice credited in
    full becomes ``void``.
    """
    if destination not in ("original", "wallet"):
        raise ValidationError("Unknown destination.", errors={"destination": ["original or wallet."]})
    locked = _lock(invoice)
    scoping.makerspace_staff_require(user=actor, makerspace_id=locked.makerspace_id)
    if locked.status not in (Status.ISSUED, Status.PAID):
        raise InvalidTransition(f"A {locked.get_status_display().lower()} invoice cannot be refunded.")
    value = _amount(amount)
    refundable = locked.amount_paid - locked.amount_refunded
    if value > refundable:
        raise ConflictError(
            f"Only {refundable} {locked.currency} paid on this invoice can be refunded.", code="refund_exceeds_paid"
        )
    remaining = value
    payments = InvoicePayment.objects.select_related("invoice__member").filter(
        invoice=locked, kind=InvoicePayment.Kind.PAYMENT
    )
    for payment in payments.order_by("-created_at", "-id"):
        part = min(remaining, payment.amount - payment.amount_refunded)
        if part > 0:
            payment.invoice = locked
            _refund_from(payment, part, destination=destination, actor=actor)
            remaining -= part
        if remaining == 0:
            break
    locked.amount_refunded += value
    credit_note_write(invoice=locked, total=value, reason=reason or "Refund", actor=actor)
    update = ["amount_refunded", "amount_credited", "updated_at"]
    if locked.amount_credited >= locked.total:
        locked.status, locked.voided_at = Status.VOID, timezone.now()
        locked.void_reason = reason or "Refunded in full"
        update += ["status", "voided_at", "void_reason"]
    locked.save(update_fields=update)
    return locked
