"""Payments: create a provider payment for an order, and apply verified webhook deliveries exactly once."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

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

MAX_STORED_PAYLOAD = 64 * 1024


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


def _stored_payload(body: bytes) -> dict:
    if len(body) > MAX_STORED_PAYLOAD:
        return {"truncated": True, "size": len(body)}
    unparsed = {"unparsed": body[:2000].decode("utf-8", "replace").replace("\x00", "")}
    try:
        payload = json.loads(body)
        # PostgreSQL's jsonb refuses NUL characters, lone surrogates and NaN/Infinity: keep the text instead, so
        # the rejected delivery is still recorded (it used to fail with a DataError and leave no trace).
        text = json.dumps(payload, ensure_ascii=False, allow_nan=False)
        text.encode("utf-8")
    except (ValueError, UnicodeDecodeError, UnicodeEncodeError):
        return unparsed
    if "\\u0000" in text:
        return unparsed
    return payload if isinstance(payload, dict) else {"value": payload}


def webhook_receive(*, provider: str, body: bytes, headers, request_id: str = "") -> WebhookOutcome:
    """Verify and apply one webhook delivery.

    Bad signature: the delivery is recorded (``rejected``) and ``SignatureInvalid`` is raised; nothing else
    changes. Verified events are stored once per event id (a repeat answers ``duplicate`` and is not applied).
    """
    gateway = get_provider(provider)
    try:
        gateway.verify_webhook(body, headers)
        event = gateway.parse_event(body)
    except (SignatureInvalid, ValueError) as exc:
        signature_ok = not isinstance(exc, SignatureInvalid)
        WebhookEvent.objects.create(
            provider=provider,
            payload=_stored_payload(body),
            signature_valid=False,
            result=WebhookEvent.Result.REJECTED,
            error=(str(exc) if not signature_ok else f"signature: {exc}")[:1000],
            request_id=request_id[:128],
        )
        metrics.WEBHOOKS.labels(provider, "rejected").inc()
        logger.warning("%s webhook rejected: %s", provider, exc)
        if signature_ok:
            raise SignatureInvalid(f"unreadable event: {exc}") from exc
        raise
    outcome = _webhook_apply(provider=provider, event=event, request_id=request_id)
    metrics.WEBHOOKS.labels(provider, outcome.result).inc()
    return outcome


def _webhook_apply(*, provider: str, event: ProviderEvent, request_id: str) -> WebhookOutcome:
    try:
        with transaction.atomic():
            # A concurrent delivery of the same event waits on this insert and then sees the duplicate.
            record = WebhookEvent.objects.create(
                provider=provider,
                event_id=event.event_id,
                type=event.provider_type,
                payload=event.payload,
                signature_valid=True,
                request_id=request_id[:128],
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
