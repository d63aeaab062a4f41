"""Payments: create a provider payment for an order, and apply verified webhook deliveries exactly once."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from makrx import metrics
from makrx.auth.roles import is_store_staff
from makrx.errors import InvalidTransition, PermissionDenied
from store.models import Order, OrderEvent, Payment, WebhookEvent
from store.payments import SignatureInvalid, get_provider
from store.payments.base import ProviderEvent, to_minor_units
from store.services import SYSTEM

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentStart:
    payment: Payment
    client_secret: str


def payment_create(
    *, order: Order, actor=None, cart_token: str | None = None, provider: str = "stripe"
) -> PaymentStart:
    """Create (or return again) the provider payment for an unpaid order's total and its client secret.

    The provider call carries a key derived from the order and amount, so retries (and a retried request with
    the same Idempotency-Key) get the same PaymentIntent. 503 ``payments_unavailable`` without credentials.
    """
    owner = getattr(actor, "is_authenticated", False) and order.user_id == actor.pk
    guest = order.user_id is None and cart_token and order.cart_id and order.cart.token == cart_token
    if not (owner or guest or is_store_staff(actor)):
        raise PermissionDenied("You cannot pay for this order.")
    if order.status != Order.Status.PENDING_PAYMENT:
        raise InvalidTransition(f"An order that is {order.status} cannot be paid.")
    gateway = get_provider(provider)
    amount_minor = to_minor_units(order.total, order.currency)
    # Outside any transaction: no row lock is held across the network call.
    result = gateway.create_payment(order, idempotency_key=f"makrx-order-{order.pk}-{amount_minor}-{order.currency}")
    with transaction.atomic():
        payment, created = Payment.objects.get_or_create(
            provider=provider,
            provider_ref=result.provider_ref,
            defaults={
                "order": order,
                "amount": order.total,
                "currency": order.currency,
                "status": Payment.Status.PENDING,
                "raw": result.raw,
            },
        )
        if created:
            OrderEvent.objects.create(
                order=order,
                kind="payment_started",
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                data={"provider": provider, "provider_ref": result.provider_ref},
            )
    return PaymentStart(payment=payment, client_secret=result.client_secret)


@dataclass(frozen=True)
class WebhookOutcome:
    result: str  # processed, ignored, duplicate, mismatch, failed
    event: WebhookEvent | None


def _ip_or_none(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value or ""))
    except ValueError:  # "unknown", or whatever a forwarded header carried
        return None


def _digest(*, provider: str, body: bytes, headers, client_ip: str | None, request_id: str) -> dict:
    """What a delivery says about itself without its body: enough to match a provider's retry log or to see
    a flood, nothing an attacker could use to make us store their bytes."""
    gateway = get_provider(provider)
    return {
        "provider": provider,
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "body_size": len(body),
        "signature_present": bool(headers.get(gateway.signature_header)),
        "client_ip": _ip_or_none(client_ip),
        "request_id": request_id[:128],
    }


def webhook_receive(
    *,
    provider: str,
    body: bytes,
    headers,
    request_id: str = "",
    client_ip: str | None = None,
    admit_rejected: Callable[[], None] = lambda: None,
) -> WebhookOutcome:
    """Verify and apply one webhook delivery.

    A delivery that fails verification (bad or missing signature, unreadable event) is recorded as a digest
    (``rejected``, never the body) and ``SignatureInvalid`` is raised; nothing else changes. ``admit_rejected``
    runs first and may raise (the caller's per-client rate limit): then not even the digest is written, so a
    flood writes a bounded number of rows. Verified events are stored once per event id (a repeat answers
    ``duplicate`` and is not applied).
    """
    gateway = get_provider(provider)
    try:
        gateway.verify_webhook(body, headers)
        event = gateway.parse_event(body)
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
            record.result = {
                "processed": WebhookEvent.Result.PROCESSED,
                "ignored": WebhookEvent.Result.IGNORED,
            }.get(result, WebhookEvent.Result.FAILED)
            record.processed_at = timezone.now()
            record.save(update_fields=["result", "processed_at", "error", "payment", "updated_at"])
            return WebhookOutcome(result=result, event=record)
    except IntegrityError:
        existing = WebhookEvent.objects.filter(provider=provider, event_id=event.event_id, signature_valid=True).first()
        return WebhookOutcome(result="duplicate", event=existing)


def _event_apply(*, provider: str, event: ProviderEvent, record: WebhookEvent) -> str:
    if event.type not in ("payment.succeeded", "payment.failed"):
        return "ignored"
    payment = (
        Payment.objects.select_for_update().filter(provider=provider, provider_ref=event.payment_ref).first()
        if event.payment_ref
        else None
    )
    order = payment.order if payment else Order.objects.filter(number=event.order_number).first()
    if order is None:
        record.error = "No order for this payment."
        return "failed"
    if payment is None:
        payment = Payment.objects.create(
            order=order,
            provider=provider,
            provider_ref=event.payment_ref or event.event_id,
            amount=order.total,
            currency=order.currency,
            status=Payment.Status.PENDING,
        )
    record.payment = payment
    if event.type == "payment.failed":
        if payment.status != Payment.Status.SUCCEEDED:
            payment.status = Payment.Status.FAILED
            payment.save(update_fields=["status", "updated_at"])
        OrderEvent.objects.create(order=order, kind="payment_failed", data={"provider_ref": payment.provider_ref})
        return "processed"

    expected = to_minor_units(order.total, order.currency)
    if event.amount_minor != expected or event.currency != order.currency.upper():
        record.error = (
            f"Amount mismatch: event {event.amount_minor} {event.currency}, order {expected} {order.currency}."
        )
        OrderEvent.objects.create(
            order=order,
            kind="payment_mismatch",
            note=record.error,
            data={"provider_ref": payment.provider_ref, "event_id": event.event_id},
        )
        return "mismatch"
    payment.status = Payment.Status.SUCCEEDED
    payment.succeeded_at = timezone.now()
    payment.save(update_fields=["status", "succeeded_at", "updated_at"])
    from store.services.orders import order_mark_paid

    try:
        _order, _changed = order_mark_paid(
            actor=SYSTEM,
            order=order,
            data={"provider": provider, "provider_ref": payment.provider_ref, "event_id": event.event_id},
        )
    except InvalidTransition:
        # e.g. the order expired (stock released) before the money arrived: staff refund it by hand.
        record.error = f"Payment succeeded for an order that is {order.status}; refund it at the provider."
        OrderEvent.objects.create(order=order, kind="payment_after_close", note=record.error)
        return "failed"
    return "processed"
