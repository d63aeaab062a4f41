"""Payment services: start a provider payment, confirm a Razorpay checkout, record an offline payment, and the
one capture step every way of paying goes through (so each way has exactly the same effects)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, DomainError, NotFound, ValidationError
from makrx.money import quantize_money
from makrx.payments import get_provider
from makrx.payments.base import SignatureInvalid, to_minor_units
from makrx.payments.models import GATEWAYS, OFFLINE_METHODS, Payment, Provider
from makrx.payments.registry import authorize, get_purpose

logger = logging.getLogger(__name__)

# Offline methods need what staff can point at later (a transfer or UPI reference); cash may have a receipt.
REFERENCE_REQUIRED = (Provider.BANK_TRANSFER, Provider.UPI_OFFLINE)


@dataclass(frozen=True)
class PaymentStart:
    """A started provider payment and what the browser needs to pay it."""

    payment: Payment
    client_secret: str
    checkout: dict = field(default_factory=dict)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None


def _amount(value, *, name: str = "amount") -> Decimal:
    try:
        amount = quantize_money(Decimal(str(value)))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError("Not an amount.", code="invalid", errors={name: ["Not an amount."]}) from None
    if amount <= 0:
        raise ValidationError("The amount must be positive.", code="invalid", errors={name: ["Must be positive."]})
    return amount


def _provider_key(*, purpose: str, reference: str, key: str) -> str:
    """The key sent to the provider and stored: scoped to what is paid, so two objects never share one."""
    scoped = f"makrx:{purpose}:{reference}:{key}"
    return scoped if len(scoped) <= 200 else f"makrx:{hashlib.sha256(scoped.encode()).hexdigest()}"


def checkout_options(payment: Payment) -> dict:
    """Provider-specific options for the browser's checkout (Razorpay: key id, order id, amount)."""
    if payment.provider == Provider.RAZORPAY:
        from makrx.payments.razorpay import checkout_options as razorpay_options

        return razorpay_options(payment)
    return {}


def payment_start(
    *,
    purpose: str,
    reference: str,
    amount,
    currency: str,
    provider: str,
    actor,
    idempotency_key: str | None = None,
    description: str = "",
    customer_email: str = "",
) -> PaymentStart:
    """Create (or return again) a provider payment of ``amount`` for ``purpose``/``reference``.

    The caller (the purpose's app) has checked that the actor may pay and that ``amount`` is due. The
    provider is called outside any transaction of ours; the same ``idempotency_key`` (default: derived from
    purpose, reference, amount and currency) returns the same provider object and the same ``Payment``.
    503 ``payments_unavailable`` when the provider is not configured, ``payment_provider_error`` on failure.
    """
    get_purpose(purpose)
    if provider not in GATEWAYS:
        raise ValidationError(
            f"Unknown payment provider {provider!r}.", code="invalid", errors={"provider": ["stripe or razorpay."]}
        )
    amount = _amount(amount)
    currency = currency.upper()
    reference = str(reference)
    key = _provider_key(
        purpose=purpose,
        reference=reference,
        key=idempotency_key or f"{to_minor_units(amount, currency)}-{currency}",
    )
    existing = Payment.objects.filter(provider=provider, idempotency_key=key).first()
    if existing is not None and existing.provider_ref:
        if existing.amount != amount or existing.currency != currency:
            raise ConflictError("This idempotency key paid another amount.", code="idempotency_key_reused")
        return PaymentStart(existing, existing.client_secret, checkout_options(existing))
    gateway = get_provider(provider)
    metadata = {"purpose": purpose, "reference": reference}
    result = gateway.create_payment(
        amount=amount,
        currency=currency,
        idempotency_key=key,
        metadata=metadata,
        description=description[:255],
        customer_email=customer_email,
    )
    try:
        with transaction.atomic():
            payment, _created = Payment.objects.get_or_create(
                provider=provider,
                idempotency_key=key,
                defaults={
                    "purpose": purpose,
                    "reference": reference,
                    "amount": amount,
                    "currency": currency,
                    "provider_ref": result.provider_ref,
                    "client_secret": result.client_secret,
                    "status": Payment.Status.PENDING,
                    "actor": _user(actor),
                    "description": description[:255],
                    "customer_email": customer_email or "",
                    "raw": result.raw,
                },
            )
    except IntegrityError:
        # The provider returned an object another key already holds: that payment is this one.
        payment = Payment.objects.filter(provider=provider, provider_ref=result.provider_ref).first()
        if payment is None:
            raise
    # A concurrent start with the same key may have won the insert (get_or_create returned its row): for
    # Razorpay the order we just created then stays unused and unpaid at Razorpay, which is harmless.
    return PaymentStart(payment, payment.client_secret, checkout_options(payment))


def payment_lock(*, payment_id: int) -> Payment:
    return Payment.objects.select_for_update().get(pk=payment_id)


def payment_capture(*, payment: Payment, actor, provider_payment_ref: str = "", raw=None) -> bool:
    """Mark a locked payment captured and run its purpose's ``on_captured`` once; False if it already was.

    Must run inside a transaction with the payment row locked. A refusal of ``on_captured`` propagates.
    """
    if payment.status != Payment.Status.PENDING and payment.status != Payment.Status.FAILED:
        return False
    payment.status = Payment.Status.CAPTURED
    payment.captured_at = timezone.now()
    payment.failed_at = None
    payment.error = ""
    if provider_payment_ref:
        payment.provider_payment_ref = provider_payment_ref[:255]
    if raw:
        payment.raw = raw
    payment.save()
    get_purpose(payment.purpose).on_captured(payment, actor)
    return True


def payment_capture_from_provider(*, payment: Payment, provider_payment_ref: str = "", raw=None) -> str:
    """A gateway says the money is in: capture it. The money is real even when the purpose refuses (say the
    order expired meanwhile), so the capture stays, the refusal is kept on the payment for staff to refund,
    and the outcome is ``failed``. Returns ``processed``, ``already`` or ``failed``."""
    if payment.status != Payment.Status.PENDING and payment.status != Payment.Status.FAILED:
        return "already"
    try:
        with transaction.atomic():
            payment_capture(payment=payment, actor=SYSTEM, provider_payment_ref=provider_payment_ref, raw=raw)
        return "processed"
    except DomainError as exc:
        payment.refresh_from_db()
        payment.status = Payment.Status.CAPTURED
        payment.captured_at = timezone.now()
        if provider_payment_ref:
            payment.provider_payment_ref = provider_payment_ref[:255]
        payment.error = f"Captured, but {payment.purpose} refused it: {exc.detail} Refund it."[:1000]
        payment.save()
        logger.warning("payment %s captured but refused by %s: %s", payment.pk, payment.purpose, exc.detail)
        return "failed"


def payment_fail(*, payment: Payment, error: str = "", raw=None) -> bool:
    """A gateway says this attempt failed (locked payment); a captured payment never goes back."""
    if payment.status != Payment.Status.PENDING:
        return False
    payment.status = Payment.Status.FAILED
    payment.failed_at = timezone.now()
    payment.error = error[:1000]
    if raw:
        payment.raw = raw
    payment.save()
    purpose = get_purpose(payment.purpose)
    if purpose.on_failed is not None:
        purpose.on_failed(payment, SYSTEM)
    return True


def payment_confirm_checkout(*, provider: str, data: dict, actor) -> Payment:
    """What the browser brings back from the provider's checkout (Razorpay: order id, payment id and their
    signature with the key secret): verified, then the payment is captured exactly as the webhook would.
    400 ``invalid_signature`` when forged; 404 when the provider object is not one of ours."""
    if provider not in GATEWAYS:
        raise ValidationError(f"Unknown payment provider {provider!r}.", code="invalid")
    try:
        proof = get_provider(provider).verify_checkout(data if isinstance(data, dict) else {})
    except SignatureInvalid as exc:
        raise ValidationError("The checkout signature is missing or invalid.", code="invalid_signature") from exc
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(provider=provider, provider_ref=proof.provider_ref).first()
        if payment is None:
            raise NotFound("No payment for this checkout.", code="not_found")
        payment_capture_from_provider(payment=payment, provider_payment_ref=proof.provider_payment_ref)
    payment.refresh_from_db()
    return payment


def payment_record_offline(
    *, purpose: str, reference: str, amount, currency: str, method: str, reference_text: str = "", actor
) -> Payment:
    """Staff record money taken outside the gateway (cash, bank transfer, UPI) — or a wallet debit the
    purpose's app made — as a captured payment with the staff member as actor and exactly the effects of
    a provider payment (the purpose's ``on_captured`` in the same transaction; a refusal writes nothing)."""
    registered = get_purpose(purpose)
    if method not in (*OFFLINE_METHODS, Provider.WALLET):
        raise ValidationError(
            "Unknown offline method.",
            code="invalid",
            errors={"method": [f"One of {', '.join(OFFLINE_METHODS)}."]},
        )
    action = "pay_from_wallet" if method == Provider.WALLET else "record_offline"
    authorize(purpose=registered, actor=actor, reference=str(reference), action=action)
    reference_text = (reference_text or "").strip()
    if method in REFERENCE_REQUIRED and not reference_text:
        raise ValidationError(
            "A bank transfer or UPI payment needs its reference.",
            code="invalid",
            errors={"reference": ["Required for bank_transfer and upi_offline."]},
        )
    amount = _amount(amount)
    with transaction.atomic():
        payment = Payment.objects.create(
            purpose=purpose,
            reference=str(reference),
            amount=amount,
            currency=currency.upper(),
            provider=method,
            status=Payment.Status.PENDING,
            actor=_user(actor),
            offline_reference=reference_text[:200],
        )
        payment_capture(payment=payment, actor=actor)
    return payment
