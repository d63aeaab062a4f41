"""Razorpay through the official SDK: orders, the checkout signature (``razorpay_order_id|razorpay_payment_id``
HMAC-SHA256 with the key secret), ``X-Razorpay-Signature`` webhooks (HMAC-SHA256 of the raw body with
``RAZORPAY_WEBHOOK_SECRET``) and refunds."""

from __future__ import annotations

import time
from decimal import Decimal

import razorpay
import requests
from django.conf import settings
from razorpay.errors import BadRequestError, GatewayError, ServerError, SignatureVerificationError

from makrx.boundedjson import loads_bounded
from makrx.errors import ServiceUnavailable
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
    "payment.captured": CAPTURED,
    "payment.failed": FAILED,
    "refund.processed": REFUND_UPDATED,
    "refund.failed": REFUND_UPDATED,
}
REFUND_STATUSES = {"processed": "succeeded", "failed": "failed"}
PROVIDER_ERRORS = (BadRequestError, GatewayError, ServerError, requests.RequestException, ValueError)
TIMEOUT_SECONDS = 15


def _entity(payload: dict, name: str) -> dict:
    container = payload.get("payload") if isinstance(payload.get("payload"), dict) else {}
    wrapper = container.get(name) if isinstance(container.get(name), dict) else {}
    entity = wrapper.get("entity")
    return entity if isinstance(entity, dict) else {}


class RazorpayProvider:
    name = "razorpay"
    signature_header = "X-Razorpay-Signature"

    def is_configured(self) -> bool:
        return bool(settings.RAZORPAY_KEY_ID and settings.RAZORPAY_KEY_SECRET)

    def _client(self) -> razorpay.Client:
        if not self.is_configured():
            raise ServiceUnavailable("Razorpay payments are not configured.", code="payments_unavailable")
        return razorpay.Client(auth=(settings.RAZORPAY_KEY_ID, settings.RAZORPAY_KEY_SECRET))

    def create_payment(
        self, *, amount, currency, idempotency_key, metadata, description="", customer_email=""
    ) -> ProviderPayment:
        client = self._client()
        notes = {key: str(value)[:256] for key, value in metadata.items()}
        try:
            order = client.order.create(
                data={
                    "amount": to_minor_units(amount, currency),
                    "currency": currency.upper(),
                    # Razorpay keeps the receipt (≤ 40 chars) with the order: our idempotency key, shortened.
                    "receipt": idempotency_key[-40:],
                    "notes": notes,
                },
                timeout=TIMEOUT_SECONDS,
            )
        except PROVIDER_ERRORS as exc:
            raise ServiceUnavailable(
                f"The payment provider refused or failed: {exc or type(exc).__name__}.", code="payment_provider_error"
            ) from exc
        if not isinstance(order, dict) or not isinstance(order.get("id"), str):
            raise ServiceUnavailable("Razorpay answered without an order.", code="payment_provider_error")
        return ProviderPayment(
            # The browser opens Razorpay Checkout with the key id and this order id: nothing secret to hand out.
            provider_ref=order["id"],
            client_secret="",
            status=str(order.get("status") or "created"),
            raw={"id": order["id"], "status": order.get("status"), "amount": order.get("amount")},
        )

    def verify_checkout(self, data: dict) -> CheckoutProof:
        fields = ("razorpay_order_id", "razorpay_payment_id", "razorpay_signature")
        if not all(isinstance(data.get(name), str) and data.get(name) for name in fields):
            raise SignatureInvalid("razorpay_order_id, razorpay_payment_id and razorpay_signature are required")
        try:
            self._client().utility.verify_payment_signature({name: data[name] for name in fields})
        except SignatureVerificationError as exc:
            raise SignatureInvalid("checkout signature mismatch") from exc
        return CheckoutProof(provider_ref=data["razorpay_order_id"], provider_payment_ref=data["razorpay_payment_id"])

    def verify_webhook(self, body: bytes, headers) -> None:
        secret = settings.RAZORPAY_WEBHOOK_SECRET
        signature = (headers.get("X-Razorpay-Signature") or "").strip()
        if not secret or not signature:
            raise SignatureInvalid("missing X-Razorpay-Signature header" if secret else "no webhook secret configured")
        try:
            razorpay.Client(auth=("", "")).utility.verify_webhook_signature(body.decode("utf-8"), signature, secret)
        except (SignatureVerificationError, UnicodeDecodeError) as exc:
            raise SignatureInvalid("signature mismatch") from exc
        # Razorpay signs no timestamp: the event's own created_at bounds how old a replayed delivery may be.
        try:
            created_at = loads_bounded(body).get("created_at")
        except (ValueError, AttributeError):
            return  # unreadable: parse_event says so
        max_age = settings.RAZORPAY_WEBHOOK_MAX_AGE_SECONDS
        if int_or_none(created_at) is not None and abs(time.time() - created_at) > max_age:
            raise SignatureInvalid("event older than RAZORPAY_WEBHOOK_MAX_AGE_SECONDS")

    def parse_event(self, body: bytes, headers=None) -> ProviderEvent:
        payload = loads_bounded(body)  # a deep body is a ValueError (unreadable), not a RecursionError
        if not isinstance(payload, dict) or not isinstance(payload.get("event"), str):
            raise ValueError("not a Razorpay event")
        provider_type = payload["event"]
        kind = EVENT_TYPES.get(provider_type, provider_type)
        payment = _entity(payload, "payment")
        refund = _entity(payload, "refund")
        refunds: tuple[RefundUpdate, ...] = ()
        if kind == REFUND_UPDATED and isinstance(refund.get("id"), str):
            status = REFUND_STATUSES.get(str(refund.get("status") or ""), "pending")
            refunds = (
                RefundUpdate(
                    refund["id"][:255], status, int_or_none(refund.get("amount")), local_refund_id(refund.get("notes"))
                ),
            )
        main = refund if kind == REFUND_UPDATED else payment
        # Razorpay sends the event id as a header (x-razorpay-event-id); without it one payment reaches each
        # state once, so payment (or refund) id plus event type names the event.
        header_id = (headers.get("X-Razorpay-Event-Id") if headers is not None else "") or ""
        event_id = header_id or f"{main.get('id') or ''}:{provider_type}"
        return ProviderEvent(
            event_id=event_id[:255],
            type=kind,
            provider_type=provider_type[:100],
            payment_ref=str(payment.get("order_id") or "")[:255],
            provider_payment_ref=str(payment.get("id") or refund.get("payment_id") or "")[:255],
            amount_minor=int_or_none(payment.get("amount")),
            currency=str(main.get("currency") or "").upper()[:3],
            refunds=refunds,
            error=str(payment.get("error_description") or "")[:500],
            payload=payload,
        )

    def refund(self, *, payment, refund, amount: Decimal, idempotency_key: str) -> ProviderRefund:
        client = self._client()
        notes = {"purpose": payment.purpose, "reference": payment.reference, "makrx_refund": str(refund.pk)}
        if not payment.provider_payment_ref:
            return ProviderRefund(provider_ref="", status="failed", error="No Razorpay payment id to refund yet.")
        try:
            created = client.payment.refund(
                payment.provider_payment_ref,
                {"amount": to_minor_units(amount, payment.currency), "receipt": idempotency_key[-40:], "notes": notes},
                timeout=TIMEOUT_SECONDS,
            )
        except PROVIDER_ERRORS as exc:
            return ProviderRefund(
                provider_ref="",
                status="failed",
                error=f"Razorpay refused the refund: {exc or type(exc).__name__}"[:500],
                raw={"error": type(exc).__name__},
            )
        if not isinstance(created, dict) or not isinstance(created.get("id"), str):
            return ProviderRefund(provider_ref="", status="failed", error="Razorpay answered without a refund.")
        return ProviderRefund(
            provider_ref=created["id"],
            status=REFUND_STATUSES.get(str(created.get("status") or ""), "pending"),
            raw={"id": created["id"], "status": created.get("status"), "amount": created.get("amount")},
        )


def checkout_options(payment) -> dict:
    """What Razorpay Checkout (checkout.js) needs in the browser: public key id, order id, amount."""
    return {
        "key": settings.RAZORPAY_KEY_ID,
        "order_id": payment.provider_ref,
        "amount": to_minor_units(payment.amount, payment.currency),
        "currency": payment.currency,
    }
