"""Money on invoices and wallet top-ups, through the platform payments (``makrx.payments``).

Every way of paying an invoice becomes a platform ``Payment`` of purpose ``makerspace.invoice`` (reference: the
invoice id): a gateway (Razorpay, Stripe) started by ``invoice_pay``, money staff took outside the gateway
(``invoice_mark_paid``), or the member's wallet (``invoice_pay_with_wallet``, charged in the same transaction).
Its capture runs ``_invoice_captured`` exactly once, inside the capturing transaction: the invoice row is locked,
the money booked (``InvoicePayment``), the state follows (``issued → paid`` once nothing is owed; money beyond
what is owed goes to the member's wallet).

Refunds go through ``refund_create`` per payment (newest first): its row lock on the payment caps each refund at
what that payment still holds, so concurrent refunds never return more than was paid. When a refund succeeds
(at once for wallet and offline payments, on the provider's answer or webhook for gateways) ``_invoice_refunded``
books it on the invoice, credits the wallet when that was the destination, and writes a credit note; an invoice
credited in full becomes ``void``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from makerspace.models import Invoice, InvoiceLine, InvoicePayment, Member, WalletEntry
from makerspace.services import wallet as wallet_services
from makerspace.services.invoices import credit_note_write, invoice_lock, invoice_notice_context
from makrx.auth import scoping
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, InvalidTransition, NotFound, PermissionDenied, ValidationError
from makrx.money import quantize_money
from makrx.notifications import notify
from makrx.payments import register_purpose
from makrx.payments.models import Payment
from makrx.payments.refunds import refund_create
from makrx.payments.services import PaymentStart, payment_record_offline, payment_start

INVOICE_PURPOSE = "makerspace.invoice"
TOP_UP_PURPOSE = "makerspace.wallet_topup"
Status = Invoice.Status
Method = InvoicePayment.Method
OFFLINE_METHODS = (Method.CASH, Method.BANK_TRANSFER, Method.UPI_OFFLINE)
GATEWAYS = (Method.RAZORPAY, Method.STRIPE)
PAID_STATUSES = (Payment.Status.CAPTURED, Payment.Status.PARTIALLY_REFUNDED)
ZERO = Decimal("0.00")


def _amount(value, field: str = "amount") -> Decimal:
    try:
        amount = quantize_money(Decimal(str(value)))
    except (ArithmeticError, TypeError, ValueError):
        raise ValidationError("Not an amount.", errors={field: ["Not an amount."]}) from None
    if amount <= 0:
        raise ValidationError("The amount must be positive.", errors={field: ["Must be greater than 0."]})
    return amount


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def invoice_payer_require(*, actor, invoice: Invoice) -> None:
    """The invoice's member (its own user) or staff of its makerspace."""
    member_user_id = Member.objects.filter(pk=invoice.member_id).values_list("user_id", flat=True).first()
    if getattr(actor, "pk", None) is not None and actor.pk == member_user_id:
        return
    if not scoping.can_staff_makerspace(actor, invoice.makerspace_id):
        raise PermissionDenied(
            "Only the invoiced member or staff of the makerspace may pay it.", code=scoping.NOT_STAFF
        )


def _payable(invoice: Invoice) -> None:
    if invoice.status != Status.ISSUED:
        raise InvalidTransition(f"A {invoice.get_status_display().lower()} invoice cannot be paid.")


# --- the purpose hooks (run by makrx.payments inside its transactions) ------------------------------------------


def _invoice_of(reference: str) -> Invoice:
    invoice = Invoice.objects.filter(pk=int(reference) if str(reference).isdigit() else 0).first()
    if invoice is None:
        raise NotFound("No such invoice.")
    return invoice


def _invoice_captured(payment: Payment, actor) -> None:
    invoice = invoice_lock(_invoice_of(payment.reference))
    if invoice.status not in (Status.ISSUED, Status.PAID):
        raise ConflictError(
            f"The invoice is {invoice.status}; the payment must be refunded.", code="invoice_not_payable"
        )
    if payment.currency != invoice.currency:
        raise ConflictError("The payment's currency is not the invoice's.", code="currency_mismatch")
    owed = max(invoice.amount_due, ZERO)
    booked = min(payment.amount, owed)
    excess = payment.amount - booked
    if booked > 0:
        InvoicePayment.objects.create(
            invoice=invoice,
            method=payment.provider,
            amount=booked,
            currency=invoice.currency,
            reference=(payment.offline_reference or payment.provider_payment_ref or payment.provider_ref)[:200],
            payment_id=payment.pk,
            actor=_user(actor) or payment.actor,
        )
        invoice.amount_paid += booked
    if excess > 0:
        # A gateway capture cannot be refused: what was paid beyond what is owed is the member's credit.
        wallet_services.wallet_credit(
            member=invoice.member,
            amount=excess,
            kind=WalletEntry.Kind.REFUND,
            actor=actor,
            description=f"Overpayment of {invoice.number}",
            reference=invoice.number,
        )
    update = ["amount_paid", "updated_at"]
    if invoice.status == Status.ISSUED and invoice.amount_due <= 0:
        invoice.status, invoice.paid_at = Status.PAID, timezone.now()
        update += ["status", "paid_at"]
    invoice.save(update_fields=update)
    notify(
        invoice.member.user,
        "invoice.payment_received",
        {**invoice_notice_context(invoice), "amount": str(payment.amount), "method": payment.provider},
        makerspace=invoice.makerspace_id,
    )


def _invoice_failed(payment: Payment, actor) -> None:
    invoice = (
        Invoice.objects.select_related("member__user", "makerspace").filter(pk=_invoice_of(payment.reference).pk).get()
    )
    notify(
        invoice.member.user, "invoice.payment_failed", invoice_notice_context(invoice), makerspace=invoice.makerspace_id
    )


def _invoice_refunded(payment: Payment, refund, actor) -> None:
    invoice = invoice_lock(_invoice_of(payment.reference))
    paid = InvoicePayment.objects.filter(
        invoice=invoice, payment_id=payment.pk, kind=InvoicePayment.Kind.PAYMENT
    ).first()
    if paid is None:
        return  # the money went to the wallet as an overpayment, not onto this invoice
    value = min(refund.amount, paid.amount - paid.amount_refunded)
    if value <= 0:
        return
    to_wallet = refund.destination == "wallet" or payment.provider == Method.WALLET
    if to_wallet:
        wallet_services.wallet_credit(
            member=invoice.member,
            amount=value,
            kind=WalletEntry.Kind.REFUND,
            actor=actor,
            description=f"Refund of {invoice.number}",
            reference=invoice.number,
        )
    InvoicePayment.objects.filter(pk=paid.pk).update(amount_refunded=paid.amount_refunded + value)
    InvoicePayment.objects.create(
        invoice=invoice,
        kind=InvoicePayment.Kind.REFUND,
        method=paid.method,
        amount=value,
        currency=invoice.currency,
        reference=refund.provider_ref or paid.reference,
        destination="wallet" if to_wallet else "original",
        refund_of=paid,
        payment_id=payment.pk,
        actor=_user(actor) or refund.actor,
    )
    invoice.amount_refunded += value
    credit_note_write(invoice=invoice, total=value, reason=refund.reason or "Refund", actor=actor)
    update = ["amount_refunded", "amount_credited", "updated_at"]
    if invoice.amount_credited >= invoice.total:
        invoice.status, invoice.voided_at = Status.VOID, timezone.now()
        invoice.void_reason = refund.reason or "Refunded in full"
        update += ["status", "voided_at", "void_reason"]
    invoice.save(update_fields=update)


def _invoice_authorize(actor, reference: str, action: str) -> None:
    invoice = _invoice_of(reference)
    if action == "pay_from_wallet":
        invoice_payer_require(actor=actor, invoice=invoice)
    elif actor is not SYSTEM:
        scoping.makerspace_staff_require(user=actor, makerspace_id=invoice.makerspace_id)


def _top_up_member(reference: str) -> Member:
    member = (
        Member.objects.select_related("user", "makerspace")
        .filter(pk=int(reference) if reference.isdigit() else 0)
        .first()
    )
    if member is None:
        raise NotFound("No such member.")
    return member


def _top_up_captured(payment: Payment, actor) -> None:
    member = _top_up_member(payment.reference)
    wallet = wallet_services.wallet_get_or_create(member=member)
    if payment.currency != wallet.currency:
        raise ConflictError("The payment's currency is not the wallet's.", code="currency_mismatch")
    entry = wallet_services.wallet_credit(
        member=member,
        amount=payment.amount,
        kind=WalletEntry.Kind.TOP_UP,
        actor=actor,
        description=f"Top-up by {payment.get_provider_display()}",
        reference=payment.offline_reference or payment.provider_ref,
        payment_id=payment.pk,
    )
    notify(
        member.user,
        "wallet.topped_up",
        {
            "amount": str(payment.amount),
            "currency": wallet.currency,
            "balance": str(entry.balance_after),
            "makerspace": member.makerspace.name,
        },
        makerspace=member.makerspace_id,
    )


def _top_up_refunded(payment: Payment, refund, actor) -> None:
    # The money left through the gateway: take it out of the wallet too (409 insufficient_credit if spent).
    member = _top_up_member(payment.reference)
    wallet_services.wallet_charge(member=member, amount=refund.amount, actor=actor, description="Top-up refunded")


def _top_up_authorize(actor, reference: str, action: str) -> None:
    if actor is not SYSTEM:
        scoping.makerspace_staff_require(user=actor, makerspace_id=_top_up_member(reference).makerspace_id)


def payment_purposes_register() -> None:
    """Called from ``MakerspaceConfig.ready``."""
    register_purpose(
        INVOICE_PURPOSE,
        on_captured=_invoice_captured,
        on_failed=_invoice_failed,
        on_refunded=_invoice_refunded,
        describe=lambda reference: f"Makerspace invoice #{reference}",
        authorize=_invoice_authorize,
        refund_destinations=("original", "wallet"),
    )
    register_purpose(
        TOP_UP_PURPOSE,
        on_captured=_top_up_captured,
        on_refunded=_top_up_refunded,
        describe=lambda reference: f"Wallet top-up of member #{reference}",
        authorize=_top_up_authorize,
        refund_destinations=("original",),
    )


# --- what members and staff call ---------------------------------------------------------------------------------


def invoice_pay(*, invoice: Invoice, actor, method: str, idempotency_key: str | None = None) -> PaymentStart | Payment:
    """Pay what is owed: ``wallet`` at once (the captured payment), or start a gateway payment (``razorpay``,
    ``stripe``: the browser completes it; the capture arrives by checkout confirmation or webhook)."""
    if method == Method.WALLET:
        return invoice_pay_with_wallet(invoice=invoice, actor=actor)
    if method not in GATEWAYS:
        raise ValidationError("Unknown method.", errors={"method": ["razorpay, stripe or wallet."]})
    invoice_payer_require(actor=actor, invoice=invoice)
    invoice = Invoice.objects.select_related("member__user").get(pk=invoice.pk)
    _payable(invoice)
    return payment_start(
        purpose=INVOICE_PURPOSE,
        reference=str(invoice.pk),
        amount=invoice.amount_due,
        currency=invoice.currency,
        provider=method,
        actor=actor,
        idempotency_key=idempotency_key,
        description=f"Invoice {invoice.number}",
        customer_email=invoice.member.user.email or "",
    )


@transaction.atomic
def invoice_pay_with_wallet(*, invoice: Invoice, actor) -> Payment:
    """Pay what is owed from the member's wallet: 409 ``insufficient_credit`` (nothing written) when short."""
    locked = invoice_lock(invoice)
    invoice_payer_require(actor=actor, invoice=locked)
    _payable(locked)
    owed = locked.amount_due
    if wallet_services.wallet_get_or_create(member=locked.member).currency != locked.currency:
        raise ConflictError("The wallet holds another currency than the invoice's.", code="currency_mismatch")
    entry = wallet_services.wallet_charge(
        member=locked.member, amount=owed, actor=actor, description=f"Invoice {locked.number}", reference=locked.number
    )
    payment = payment_record_offline(
        purpose=INVOICE_PURPOSE,
        reference=str(locked.pk),
        amount=owed,
        currency=locked.currency,
        method=Method.WALLET,
        reference_text=f"wallet entry {entry.pk}",
        actor=actor,
    )
    InvoicePayment.objects.filter(payment_id=payment.pk, kind=InvoicePayment.Kind.PAYMENT).update(wallet_entry=entry)
    return payment


@transaction.atomic
def invoice_mark_paid(*, invoice: Invoice, actor, method: str, reference: str, amount=None) -> Payment:
    """Staff record money taken outside the gateways (cash, bank transfer, UPI); ``amount`` defaults to what is
    owed and may be less (a partial payment), never more."""
    locked = invoice_lock(invoice)
    scoping.makerspace_staff_require(user=actor, makerspace_id=locked.makerspace_id)
    if method not in OFFLINE_METHODS:
        raise ValidationError("Not an offline method.", errors={"method": [f"One of {', '.join(OFFLINE_METHODS)}."]})
    _payable(locked)
    value = locked.amount_due if amount is None else _amount(amount)
    if value > locked.amount_due:
        raise ValidationError(
            f"Only {locked.amount_due} {locked.currency} is owed.", errors={"amount": ["More than is owed."]}
        )
    return payment_record_offline(
        purpose=INVOICE_PURPOSE,
        reference=str(locked.pk),
        amount=value,
        currency=locked.currency,
        method=method,
        reference_text=reference,
        actor=actor,
    )


def invoice_refund(*, invoice: Invoice, actor, amount, destination: str = "original", reason: str = "") -> Invoice:
    """Staff return money paid on an invoice (full or partial), newest payment first, to where it came from or
    to the wallet. Never more than was paid and not yet refunded: 409 ``refund_exceeds_paid``."""
    if destination not in ("original", "wallet"):
        raise ValidationError("Unknown destination.", errors={"destination": ["original or wallet."]})
    scoping.makerspace_staff_require(user=actor, makerspace_id=invoice.makerspace_id)
    value = _amount(amount)
    current = Invoice.objects.get(pk=invoice.pk)
    if current.status not in (Status.ISSUED, Status.PAID):
        raise InvalidTransition(f"A {current.get_status_display().lower()} invoice cannot be refunded.")
    payments = list(
        Payment.objects.filter(purpose=INVOICE_PURPOSE, reference=str(invoice.pk), status__in=PAID_STATUSES).order_by(
            "-created_at", "-id"
        )
    )
    if value > sum((payment.refundable for payment in payments), ZERO):
        raise ConflictError(
            "That is more than was paid on this invoice and not yet refunded.", code="refund_exceeds_paid"
        )
    remaining = value
    for payment in payments:
        part = min(remaining, payment.refundable)
        if part <= 0:
            continue
        refund_create(payment=payment, amount=part, actor=actor, destination=destination, reason=reason)
        remaining -= part
        if remaining <= 0:
            break
    return Invoice.objects.get(pk=invoice.pk)


def wallet_top_up_start(
    *, actor, member: Member, amount, provider: str, idempotency_key: str | None = None
) -> PaymentStart:
    """A member tops up their wallet through a gateway; the credit arrives with the capture (once per payment)."""
    if member.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("Members top up their own wallet.", code=scoping.NOT_MEMBER)
    wallet = wallet_services.wallet_get_or_create(member=member)
    return payment_start(
        purpose=TOP_UP_PURPOSE,
        reference=str(member.pk),
        amount=_amount(amount),
        currency=wallet.currency,
        provider=provider,
        actor=actor,
        idempotency_key=idempotency_key,
        description=f"Wallet top-up at {member.makerspace.name}",
        customer_email=member.user.email or "",
    )


def wallet_top_up_record(*, actor, member: Member, amount, method: str, reference: str) -> Payment:
    """Staff record a top-up paid at the desk (cash, bank transfer, UPI)."""
    wallet = wallet_services.wallet_get_or_create(member=member)
    return payment_record_offline(
        purpose=TOP_UP_PURPOSE,
        reference=str(member.pk),
        amount=_amount(amount),
        currency=wallet.currency,
        method=method,
        reference_text=reference,
        actor=actor,
    )


def reservation_pay_with_wallet(*, reservation, actor) -> Invoice:
    """Pay a reservation from the member's wallet now: its billable record is invoiced on its own (issued at
    once) and that invoice paid from the wallet, all in one transaction (409 ``insufficient_credit`` writes
    nothing). The record is then not billed again by the monthly run."""
    from makerspace.models import Reservation
    from makerspace.services import billing as billing_services
    from makerspace.services.invoices import draft_for_records, invoice_issue

    with transaction.atomic():
        locked = (
            Reservation.objects.select_for_update(of=("self",))
            .select_related("equipment__makerspace", "member")
            .get(pk=reservation.pk)
        )
        own = locked.user_id == getattr(actor, "pk", None)
        if not own:
            scoping.makerspace_staff_require(user=actor, makerspace_id=locked.equipment.makerspace_id)
        if locked.member_id is None or locked.status in (Reservation.Status.CANCELLED, Reservation.Status.REJECTED):
            raise InvalidTransition("Only an active booking of a member can be paid.")
        record = billing_services.bill_reservation(reservation=locked, actor=actor)
        if record is None:
            raise ConflictError("This booking costs nothing.", code="nothing_to_pay")
        if InvoiceLine.objects.filter(record=record).exists():
            raise ConflictError("This booking is already invoiced; pay its invoice.", code="already_invoiced")
        invoice = draft_for_records(member=locked.member, records=[record], actor=actor)
        invoice_issue(invoice=invoice, actor=SYSTEM)
        invoice_pay_with_wallet(invoice=invoice, actor=actor)
        return Invoice.objects.get(pk=invoice.pk)
