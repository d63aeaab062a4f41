"""Refunds: never more than was captured minus what is already refunded (or being refunded), under any
concurrency; sent to the provider for gateway payments with the result recorded, recorded as given back for
offline payments, or credited by the purpose's app for ``destination="wallet"``."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, ServiceUnavailable, ValidationError
from makrx.payments import get_provider
from makrx.payments.base import ProviderRefund, RefundUpdate, from_minor_units
from makrx.payments.models import GATEWAYS, Payment, Refund
from makrx.payments.registry import authorize, get_purpose
from makrx.payments.services import _amount, _user, payment_lock

logger = logging.getLogger(__name__)

REFUNDABLE = (Payment.Status.CAPTURED, Payment.Status.PARTIALLY_REFUNDED)


def _settle_status(payment: Payment) -> None:
    succeeded = payment.refunds.filter(status=Refund.Status.SUCCEEDED).aggregate(total=Sum("amount"))["total"]
    succeeded = succeeded or Decimal("0")
    if succeeded >= payment.amount:
        payment.status = Payment.Status.REFUNDED
    elif succeeded > 0:
        payment.status = Payment.Status.PARTIALLY_REFUNDED
    else:
        payment.status = Payment.Status.CAPTURED
    payment.save(update_fields=["status", "amount_refunded", "updated_at"])


def _succeed(*, refund: Refund, payment: Payment, actor, result: ProviderRefund | None = None) -> None:
    """A refund is done (locked payment): record it and let the purpose follow (order refunded, wallet credited)."""
    refund.status = Refund.Status.SUCCEEDED
    refund.processed_at = timezone.now()
    if result is not None:
        refund.provider_ref = result.provider_ref or refund.provider_ref
        refund.raw = result.raw or refund.raw
    refund.save()
    _settle_status(payment)
    purpose = get_purpose(payment.purpose)
    if purpose.on_refunded is not None:
        purpose.on_refunded(payment, refund, actor)


def _fail(*, refund: Refund, payment: Payment, error: str, result: ProviderRefund | None = None) -> None:
    """A refund the provider refused (locked payment): recorded, and its reserved amount released."""
    refund.status = Refund.Status.FAILED
    refund.processed_at = timezone.now()
    refund.error = error[:1000]
    if result is not None:
        refund.provider_ref = result.provider_ref or refund.provider_ref
        refund.raw = result.raw or refund.raw
    refund.save()
    payment.amount_refunded -= refund.amount
    _settle_status(payment)


def refund_create(*, payment: Payment, amount=None, actor, destination: str = "original", reason: str = "") -> Refund:
    """Refund ``amount`` (default: all that is left) of a captured payment.

    Under the payment's row lock the amount is checked against captured minus refunded-or-pending (409
    ``refund_exceeds_paid``) and reserved; the provider is called after that commit, outside any lock, and its
    answer recorded (``succeeded``, ``pending`` until its webhook, or ``failed`` with the reason and the
    reservation released). Offline payments and wallet refunds succeed at once. 409 ``not_refundable`` for
    a payment that is not captured.
    """
    purpose = get_purpose(payment.purpose)
    authorize(purpose=purpose, actor=actor, reference=payment.reference, action="refund")
    if destination not in purpose.refund_destinations:
        raise ValidationError(
            f"{payment.purpose} payments cannot be refunded to {destination!r}.",
            code="refund_destination_unsupported",
            errors={"destination": [f"One of {', '.join(purpose.refund_destinations)}."]},
        )
    through_provider = destination == Refund.Destination.ORIGINAL and payment.provider in GATEWAYS
    gateway = get_provider(payment.provider) if through_provider else None
    if gateway is not None and not gateway.is_configured():
        raise ServiceUnavailable(f"{payment.provider} is not configured.", code="payments_unavailable")
    with transaction.atomic():
        locked = payment_lock(payment_id=payment.pk)
        if locked.status not in REFUNDABLE:
            raise ConflictError(f"A payment that is {locked.status} cannot be refunded.", code="not_refundable")
        value = locked.refundable if amount is None else _amount(amount)
        if value <= 0 or value > locked.refundable:
            raise ConflictError(
                f"At most {locked.refundable} {locked.currency} of this payment can still be refunded.",
                code="refund_exceeds_paid",
            )
        locked.amount_refunded += value
        locked.save(update_fields=["amount_refunded", "updated_at"])
        refund = Refund.objects.create(
            payment=locked,
            amount=value,
            currency=locked.currency,
            destination=destination,
            actor=_user(actor),
            reason=(reason or "")[:500],
        )
        if gateway is None:
            _succeed(refund=refund, payment=locked, actor=actor)
            return refund
    result = gateway.refund(payment=locked, refund=refund, amount=value, idempotency_key=f"makrx-refund-{refund.pk}")
    with transaction.atomic():
        locked = payment_lock(payment_id=payment.pk)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status != Refund.Status.PENDING:
            return refund  # its webhook was quicker
        if result.status == "succeeded":
            _succeed(refund=refund, payment=locked, actor=actor, result=result)
        elif result.status == "failed":
            _fail(refund=refund, payment=locked, error=result.error or "The provider refused.", result=result)
        else:
            refund.provider_ref = result.provider_ref
            refund.raw = result.raw
            refund.save(update_fields=["provider_ref", "raw", "updated_at"])
    return refund


def refund_apply_update(*, payment: Payment, update: RefundUpdate) -> str:
    """A provider event about a refund of a locked payment: settle a pending one, or record one made on the
    provider's dashboard. Returns ``processed`` or ``ignored``."""
    refund = Refund.objects.select_for_update().filter(payment=payment, provider_ref=update.provider_ref).first()
    if refund is None and update.refund_id is not None:
        # Ours, announced before our own call recorded the provider's id (the webhook was quicker).
        refund = Refund.objects.select_for_update().filter(payment=payment, pk=update.refund_id).first()
        if refund is not None and not refund.provider_ref:
            refund.provider_ref = update.provider_ref
            refund.save(update_fields=["provider_ref", "updated_at"])
    if refund is None:
        if update.status != "succeeded" or update.amount_minor is None:
            return "ignored"
        amount = from_minor_units(update.amount_minor, payment.currency)
        if payment.status not in REFUNDABLE or amount <= 0 or amount > payment.refundable:
            logger.warning("refund %s of payment %s does not fit what is left", update.provider_ref, payment.pk)
            return "ignored"
        payment.amount_refunded += amount
        payment.save(update_fields=["amount_refunded", "updated_at"])
        refund = Refund.objects.create(
            payment=payment,
            amount=amount,
            currency=payment.currency,
            provider_ref=update.provider_ref,
            reason="Refunded at the provider.",
        )
        _succeed(refund=refund, payment=payment, actor=SYSTEM)
        return "processed"
    if refund.status != Refund.Status.PENDING or update.status == "pending":
        return "ignored"
    if update.status == "succeeded":
        _succeed(refund=refund, payment=payment, actor=SYSTEM)
    else:
        _fail(refund=refund, payment=payment, error="The provider reported the refund failed.")
    return "processed"
