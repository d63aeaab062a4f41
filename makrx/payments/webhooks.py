"""Provider webhooks: verify first, store each verified event once, apply it (capture, failure, refund)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from makrx import metrics
from makrx.middleware import ip_or_none
from makrx.payments import get_provider
from makrx.payments.base import CAPTURED, FAILED, REFUND_UPDATED, ProviderEvent, SignatureInvalid, to_minor_units
from makrx.payments.models import Payment, WebhookEvent
from makrx.payments.refunds import refund_apply_update
from makrx.payments.services import payment_capture_from_provider, payment_fail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookOutcome:
    result: str  # processed, ignored, duplicate, mismatch, failed
    event: WebhookEvent | None


def _digest(*, provider: str, body: bytes, headers, client_ip: str | None, request_id: str) -> dict:
    """What a delivery says about itself without its body: enough to match a provider's retry log or to see
    a flood, nothing an attacker could use to make us store their bytes."""
    gateway = get_provider(provider)
    return {
        "provider": provider,
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "body_size": len(body),
        "signature_present": bool(headers.get(gateway.signature_header)),
        "client_ip": ip_or_none(client_ip),
        "request_id": request_id[:128],
    }


def webhook_process(
    *,
    provider: str,
    body: bytes,
    headers,
    request_id: str = "",
    client_ip: str | None = None,
    admit_rejected: Callable[[], None] = lambda: None,
) -> WebhookOutcome:
    """Verify and apply one webhook delivery.

    A delivery that fails verification (bad, missing or stale signature, unreadable event) is recorded as a
    digest (``rejected``, never the body) and ``SignatureInvalid`` is raised; nothing else changes.
    ``admit_rejected`` runs first and may raise (the caller's per-client rate limit): then not even the digest
    is written, so a flood writes a bounded number of rows. Verified events are stored once per event id (a
    repeat, even a concurrent one, answers ``duplicate`` and is not applied).
    """
    gateway = get_provider(provider)
    try:
        gateway.verify_webhook(body, headers)
        event = gateway.parse_event(body, headers)
    except (SignatureInvalid, ValueError) as exc:
        signature_ok = not isinstance(exc, SignatureInvalid)
        admit_rejected()
        WebhookEvent.objects.create(
            **_digest(provider=provider, body=body, headers=headers, client_ip=client_ip, request_id=request_id),
            signature_valid=False,
            result=WebhookEvent.Result.REJECTED,
            # Our own reason (the provider library's or the JSON decoder's message), never the body's text.
            error=("unreadable event" if signature_ok else f"signature: {exc}")[:200],
        )
        metrics.WEBHOOKS.labels(provider, "rejected").inc()
        logger.warning("%s webhook rejected: %s", provider, exc)
        if signature_ok:
            raise SignatureInvalid(f"unreadable event: {exc}") from exc
        raise
    digest = _digest(provider=provider, body=body, headers=headers, client_ip=client_ip, request_id=request_id)
    outcome = _webhook_apply(event=event, digest=digest)
    metrics.WEBHOOKS.labels(provider, outcome.result).inc()
    return outcome


@transaction.atomic
def webhook_rejected_purge(*, older_than_days: int | None = None, now=None) -> int:
    """Delete rejected deliveries older than the retention (``WEBHOOK_REJECTED_RETENTION_DAYS``); verified
    ones stay (they are the record of what was applied). Returns how many rows went; safe to run twice."""
    days = settings.WEBHOOK_REJECTED_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = WebhookEvent.objects.filter(
        result=WebhookEvent.Result.REJECTED, signature_valid=False, created_at__lt=cutoff
    ).delete()
    return deleted


RESULTS = {
    "processed": WebhookEvent.Result.PROCESSED,
    "ignored": WebhookEvent.Result.IGNORED,
    "mismatch": WebhookEvent.Result.MISMATCH,
}


def _webhook_apply(*, event: ProviderEvent, digest: dict) -> WebhookOutcome:
    provider = digest["provider"]
    try:
        with transaction.atomic():
            # A concurrent delivery of the same event waits on this insert and then sees the duplicate.
            record = WebhookEvent.objects.create(
                **digest,
                event_id=event.event_id,
                type=event.provider_type,
                payload=event.payload,
                signature_valid=True,
            )
            result = _event_apply(provider=provider, event=event, record=record)
            record.result = RESULTS.get(result, WebhookEvent.Result.FAILED)
            record.processed_at = timezone.now()
            record.save(update_fields=["result", "processed_at", "error", "payment", "updated_at"])
            return WebhookOutcome(result=result, event=record)
    except IntegrityError:
        existing = WebhookEvent.objects.filter(provider=provider, event_id=event.event_id, signature_valid=True).first()
        return WebhookOutcome(result="duplicate", event=existing)


def _payment_for(*, provider: str, event: ProviderEvent) -> Payment | None:
    payments = Payment.objects.select_for_update()
    if event.payment_ref:
        found = payments.filter(provider=provider, provider_ref=event.payment_ref).first()
        if found is not None:
            return found
    if event.provider_payment_ref:
        return payments.filter(provider=provider, provider_payment_ref=event.provider_payment_ref).first()
    return None


def _event_apply(*, provider: str, event: ProviderEvent, record: WebhookEvent) -> str:
    if event.type not in (CAPTURED, FAILED, REFUND_UPDATED):
        return "ignored"
    payment = _payment_for(provider=provider, event=event)
    if payment is None:
        record.error = "No payment of ours for this event."
        return "failed"
    record.payment = payment
    if event.type == REFUND_UPDATED:
        results = [refund_apply_update(payment=payment, update=update) for update in event.refunds]
        return "processed" if "processed" in results else "ignored"
    if event.type == FAILED:
        payment_fail(payment=payment, error=event.error or "The provider reported the payment failed.")
        return "processed"
    expected = to_minor_units(payment.amount, payment.currency)
    if event.amount_minor != expected or event.currency != payment.currency.upper():
        record.error = (
            f"Amount mismatch: event {event.amount_minor} {event.currency}, payment {expected} {payment.currency}."
        )[:1000]
        logger.warning("%s payment %s: %s", provider, payment.pk, record.error)
        return "mismatch"
    outcome = payment_capture_from_provider(payment=payment, provider_payment_ref=event.provider_payment_ref)
    if outcome == "failed":
        record.error = payment.error
        return "failed"
    return "processed"
