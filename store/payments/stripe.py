"""Stripe: PaymentIntents through the official library, webhooks with the ``Stripe-Signature`` scheme."""

from __future__ import annotations

import time

import stripe
from django.conf import settings

from makrx.boundedjson import loads_bounded
from makrx.errors import ServiceUnavailable
from store.payments.base import ProviderEvent, ProviderPayment, SignatureInvalid, to_minor_units

EVENT_TYPES = {"payment_intent.succeeded": "payment.succeeded", "payment_intent.payment_failed": "payment.failed"}


class StripeProvider:
    name = "stripe"
    signature_header = "Stripe-Signature"

    def is_configured(self) -> bool:
        return bool(settings.STRIPE_API_KEY)

    def create_payment(self, order, *, idempotency_key: str) -> ProviderPayment:
        if not self.is_configured():
            raise ServiceUnavailable("Card payments are not configured.", code="payments_unavailable")
        try:
            intent = stripe.PaymentIntent.create(
                api_key=settings.STRIPE_API_KEY,
                amount=to_minor_units(order.total, order.currency),
                currency=order.currency.lower(),
                metadata={"order_number": order.number, "order_id": str(order.pk)},
                receipt_email=order.email or None,
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
            client_secret=intent["client_secret"],
            status=intent["status"],
            raw={"id": intent["id"], "status": intent["status"], "amount": intent["amount"]},
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

    def parse_event(self, body: bytes) -> ProviderEvent:
        payload = loads_bounded(body)  # a deep body is a ValueError (unreadable), not a RecursionError
        if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
            raise ValueError("not a Stripe event")
        provider_type = str(payload.get("type") or "")
        obj = (payload.get("data") or {}).get("object") or {}
        if not isinstance(obj, dict):
            obj = {}
        metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        amount = obj.get("amount_received") or obj.get("amount")
        return ProviderEvent(
            event_id=payload["id"][:255],
            type=EVENT_TYPES.get(provider_type, provider_type),
            provider_type=provider_type[:100],
            payment_ref=str(obj.get("id") or "")[:255],
            order_number=str(metadata.get("order_number") or "")[:32],
            amount_minor=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
            currency=str(obj.get("currency") or "").upper()[:3],
            payload=payload,
        )
