"""Razorpay: webhook verification (``X-Razorpay-Signature`` = hex HMAC-SHA256 of the raw body). Creating
Razorpay orders is not built yet: the store takes card payments through Stripe."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from makrx.boundedjson import loads_bounded
from makrx.errors import ServiceUnavailable
from store.payments.base import ProviderEvent, ProviderPayment, SignatureInvalid

EVENT_TYPES = {"payment.captured": "payment.succeeded", "payment.failed": "payment.failed"}


class RazorpayProvider:
    name = "razorpay"
    signature_header = "X-Razorpay-Signature"

    def is_configured(self) -> bool:
        return bool(settings.RAZORPAY_KEY_ID and settings.RAZORPAY_KEY_SECRET)

    def create_payment(self, order, *, idempotency_key: str) -> ProviderPayment:
        raise ServiceUnavailable("Razorpay payments are not available.", code="payments_unavailable")

    def verify_webhook(self, body: bytes, headers) -> None:
        secret = settings.RAZORPAY_WEBHOOK_SECRET
        signature = headers.get("X-Razorpay-Signature") or ""
        if not secret or not signature:
            raise SignatureInvalid("missing X-Razorpay-Signature header" if secret else "no webhook secret configured")
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature.strip()):
            raise SignatureInvalid("signature mismatch")

    def parse_event(self, body: bytes) -> ProviderEvent:
        payload = loads_bounded(body)  # a deep body is a ValueError (unreadable), not a RecursionError
        if not isinstance(payload, dict) or not isinstance(payload.get("event"), str):
            raise ValueError("not a Razorpay event")
        entity = ((payload.get("payload") or {}).get("payment") or {}).get("entity") or {}
        if not isinstance(entity, dict):
            entity = {}
        notes = entity.get("notes") if isinstance(entity.get("notes"), dict) else {}
        payment_id = str(entity.get("id") or "")
        amount = entity.get("amount")
        return ProviderEvent(
            # Razorpay has no event id in the body: one payment reaches each state once.
            event_id=f"{payment_id}:{payload['event']}"[:255],
            type=EVENT_TYPES.get(payload["event"], payload["event"]),
            provider_type=payload["event"][:100],
            payment_ref=payment_id[:255],
            order_number=str(notes.get("order_number") or "")[:32],
            amount_minor=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
            currency=str(entity.get("currency") or "").upper()[:3],
            payload=payload,
        )
