"""Stripe through the official SDK: PaymentIntents (with an idempotency key), ``Stripe-Signature`` webhooks
with a timestamp tolerance, and refunds sent with ``Refund.create``."""

from __future__ import annotations

import time
from decimal import Decimal

import stripe
from django.conf import settings

from makrx.boundedjson import loads_bounded
from makrx.errors import ServiceUnavailable, ValidationError
from makrx.payments.base import (
    CAPTURED,
    FAILED,
    REFUND_UPDATED,
    CheckoutProof,
    ProviderEvent,
    ProviderPayment,
    ProviderRefund,
    RefundUpdate,
    SignatureInvalid,
    int_or_none,
    local_refund_id,
    to_minor_units,
)

EVENT_TYPES = {
    "payment_intent.succeeded": CAPTURED,
    "payment_intent.payment_failed": FAILED,
    "charge.refunded": REFUND_UPDATED,
    "refund.created": REFUND_UPDATED,
    "refund.updated": REFUND_UPDATED,
    "refund.failed": REFUND_UPDATED,
    "charge.refund.updated": REFUND_UPDATED,
}
# Stripe refund statuses → ours ("requires_action" waits like "pending").
REFUND_STATUSES = {"succeeded": "succeeded", "failed": "failed", "canceled": "failed"}


def _refund_update(obj: dict) -> RefundUpdate | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
        return None
    status = REFUND_STATUSES.get(str(obj.get("status") or ""), "pending")
    return RefundUpdate(
        provider_ref=obj["id"][:255],
        status=status,
        amount_minor=int_or_none(obj.get("amount")),
        refund_id=local_refund_id(obj.get("metadata")),
    )


class StripeProvider:
    name = "stripe"
    signature_header = "Stripe-Signature"

    def is_configured(self) -> bool:
        return bool(settings.STRIPE_API_KEY)

    def _require_configured(self) -> None:
        if not self.is_configured():
            raise ServiceUnavailable("Card payments are not configured.", code="payments_unavailable")

    def create_payment(
        self, *, amount, currency, idempotency_key, metadata, description="", customer_email=""
    ) -> ProviderPayment:
        self._require_configured()
        try:
            intent = stripe.PaymentIntent.create(
                api_key=settings.STRIPE_API_KEY,
                amount=to_minor_units(amount, currency),
                currency=currency.lower(),
                metadata=metadata,
                description=description or None,
                receipt_email=customer_email or None,
                automatic_payment_methods={"enabled": True},
                idempotency_key=idempotency_key,
            )
        except stripe.StripeError as exc:
            raise ServiceUnavailable(
                f"The payment provider refused or failed: {exc.user_message or type(exc).__name__}.",
                code="payment_provider_error",
            ) from exc
        return ProviderPayment(
            provider_ref=intent["id"],
            client_secret=intent["client_secret"] or "",
            status=intent["status"],
            raw={"id": intent["id"], "status": intent["status"], "amount": intent["amount"]},
        )

    def verify_checkout(self, data: dict) -> CheckoutProof:
        # Stripe's client confirms the PaymentIntent itself; the signed webhook is the proof of payment.
        raise ValidationError(
            "Stripe payments are confirmed by Stripe's webhook, not by the browser.", code="checkout_not_supported"
        )

    def verify_webhook(self, body: bytes, headers) -> None:
        secret = settings.STRIPE_WEBHOOK_SECRET
        header = headers.get("Stripe-Signature")
        if not secret or not header:
            raise SignatureInvalid("missing Stripe-Signature header" if secret else "no webhook secret configured")
        try:
            # t= within the tolerance, v1= HMAC-SHA256 of "{t}.{body}", compared in constant time.
            stripe.WebhookSignature.verify_header(
                body.decode("utf-8"), header, secret, tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS
            )
        except (stripe.SignatureVerificationError, UnicodeDecodeError) as exc:
            raise SignatureInvalid(str(exc)) from exc
        # The library only refuses old timestamps; a clock far in the future is outside the tolerance too.
        stamps = [part.strip()[2:] for part in header.split(",") if part.strip().startswith("t=")]
        if (
            not stamps
            or not stamps[0].isdigit()
            or abs(time.time() - int(stamps[0])) > settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS
        ):
            raise SignatureInvalid("timestamp outside the tolerance")

    def parse_event(self, body: bytes, headers=None) -> ProviderEvent:
        payload = loads_bounded(body)  # a deep body is a ValueError (unreadable), not a RecursionError
        if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
            raise ValueError("not a Stripe event")
        provider_type = str(payload.get("type") or "")
        obj = (payload.get("data") or {}).get("object") if isinstance(payload.get("data"), dict) else None
        obj = obj if isinstance(obj, dict) else {}
        kind = EVENT_TYPES.get(provider_type, provider_type)
        refunds: tuple[RefundUpdate, ...] = ()
        if kind == REFUND_UPDATED:
            if obj.get("object") == "charge":
                listed = (obj.get("refunds") or {}).get("data") if isinstance(obj.get("refunds"), dict) else None
                refunds = tuple(u for u in map(_refund_update, listed or []) if u is not None)
                payment_ref = str(obj.get("payment_intent") or "")
            else:
                update = _refund_update(obj)
                refunds = (update,) if update else ()
                payment_ref = str(obj.get("payment_intent") or "")
            amount = obj.get("amount")
        else:
            payment_ref = str(obj.get("id") or "")
            amount = obj.get("amount_received") or obj.get("amount")
        error = obj.get("last_payment_error") if isinstance(obj.get("last_payment_error"), dict) else {}
        return ProviderEvent(
            event_id=payload["id"][:255],
            type=kind,
            provider_type=provider_type[:100],
            payment_ref=payment_ref[:255],
            provider_payment_ref=str(obj.get("latest_charge") or "")[:255],
            amount_minor=int_or_none(amount),
            currency=str(obj.get("currency") or "").upper()[:3],
            refunds=refunds,
            error=str(error.get("message") or "")[:500],
            payload=payload,
        )

    def refund(self, *, payment, refund, amount: Decimal, idempotency_key: str) -> ProviderRefund:
        self._require_configured()
        metadata = {"purpose": payment.purpose, "reference": payment.reference, "makrx_refund": str(refund.pk)}
        try:
            created = stripe.Refund.create(
                api_key=settings.STRIPE_API_KEY,
                payment_intent=payment.provider_ref,
                amount=to_minor_units(amount, payment.currency),
                metadata=metadata,
                idempotency_key=idempotency_key,
            )
        except stripe.StripeError as exc:
            return ProviderRefund(
                provider_ref="",
                status="failed",
                error=f"Stripe refused the refund: {exc.user_message or str(exc) or type(exc).__name__}"[:500],
                raw={"error": getattr(exc, "code", None) or type(exc).__name__},
            )
        return ProviderRefund(
            provider_ref=created["id"],
            status=REFUND_STATUSES.get(created["status"], "pending"),
            raw={"id": created["id"], "status": created["status"], "amount": created["amount"]},
        )
