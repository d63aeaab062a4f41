"""Test helpers for the payment providers at their HTTP boundary: the documented API answers (Stripe
PaymentIntent and Refund objects, Razorpay order and refund entities) registered with ``responses``, webhook
bodies shaped as the providers document them, and signatures computed by the documented schemes (Stripe:
``t=<unix>,v1=<hex HMAC-SHA256 of "t.body">``; Razorpay: hex HMAC-SHA256 of the body, and of
``order_id|payment_id`` for checkout) — independently of the SDKs the code under test uses."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs

import responses

STRIPE_API = "https://api.stripe.com/v1"
RAZORPAY_API = "https://api.razorpay.com/v1"
STRIPE_SECRET = "whsec_test_secret"
RAZORPAY_KEY_ID = "rzp_test_1DP5mmOlF5G5ag"
RAZORPAY_KEY_SECRET = "razorpay_key_secret"
RAZORPAY_WEBHOOK_SECRET = "razorpay_webhook_secret"


def configure(settings) -> None:
    settings.STRIPE_API_KEY = "sk_test_dummy"
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_SECRET
    settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300
    settings.RAZORPAY_KEY_ID = RAZORPAY_KEY_ID
    settings.RAZORPAY_KEY_SECRET = RAZORPAY_KEY_SECRET
    settings.RAZORPAY_WEBHOOK_SECRET = RAZORPAY_WEBHOOK_SECRET
    settings.RAZORPAY_WEBHOOK_MAX_AGE_SECONDS = 48 * 3600
    settings.RATELIMIT_ENABLE = False


def form(call) -> dict:
    """A Stripe request body (form-encoded) as {key: value}."""
    return {key: values[0] for key, values in parse_qs(call.request.body).items()}


# --- Stripe -------------------------------------------------------------------------------------------
def stripe_intent(rsps, *, intent_id="pi_3MtwBwLkdIwHu7ix28a3tqPa", amount=2360, currency="inr", status=200):
    """POST /v1/payment_intents → a PaymentIntent (https://docs.stripe.com/api/payment_intents/object)."""
    if status != 200:
        body = {"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}}
        return rsps.add(responses.POST, f"{STRIPE_API}/payment_intents", json=body, status=status)
    return rsps.add(
        responses.POST,
        f"{STRIPE_API}/payment_intents",
        json={
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_received": 0,
            "currency": currency,
            "client_secret": f"{intent_id}_secret_YrKJUKribcBjcG8HVhfZluoGH",
            "status": "requires_payment_method",
            "livemode": False,
            "metadata": {},
        },
    )


def stripe_refund(rsps, *, refund_id="re_1Nispe2eZvKYlo2Cd31jOCgZ", amount=2360, status="succeeded", intent="pi_x"):
    """POST /v1/refunds → a Refund (https://docs.stripe.com/api/refunds/object)."""
    return rsps.add(
        responses.POST,
        f"{STRIPE_API}/refunds",
        json={
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "charge": "ch_1NirD82eZvKYlo2CIvbtLWuY",
            "currency": "inr",
            "payment_intent": intent,
            "status": status,
            "metadata": {},
        },
    )


def stripe_refund_error(rsps, *, status=400, message="Refund amount exceeds the charge."):
    return rsps.add(
        responses.POST,
        f"{STRIPE_API}/refunds",
        json={"error": {"type": "invalid_request_error", "code": "amount_too_large", "message": message}},
        status=status,
    )


def stripe_sign(body: bytes, *, secret: str = STRIPE_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def stripe_event(*, event_id="evt_1", type_="payment_intent.succeeded", obj: dict) -> bytes:
    """An Event (https://docs.stripe.com/api/events/object) around ``obj``."""
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "type": type_,
            "livemode": False,
            "data": {"object": obj},
        }
    ).encode()


def stripe_intent_object(*, intent_id, amount, currency="inr", status="succeeded", metadata=None) -> dict:
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount if status == "succeeded" else 0,
        "currency": currency,
        "status": status,
        "latest_charge": "ch_3MtwBwLkdIwHu7ix28a3tqPa",
        "metadata": metadata or {},
        "last_payment_error": {"message": "Your card was declined."} if status != "succeeded" else None,
    }


# --- Razorpay -----------------------------------------------------------------------------------------
def razorpay_order(rsps, *, order_id="order_IluGWxBm9U8zJ8", amount=2360, currency="INR", status=200):
    """POST /v1/orders → an order entity (https://razorpay.com/docs/api/orders/create/)."""
    if status != 200:
        body = {"error": {"code": "BAD_REQUEST_ERROR", "description": "The amount must be atleast INR 1.00"}}
        return rsps.add(responses.POST, f"{RAZORPAY_API}/orders", json=body, status=status)
    return rsps.add(
        responses.POST,
        f"{RAZORPAY_API}/orders",
        json={
            "id": order_id,
            "entity": "order",
            "amount": amount,
            "amount_paid": 0,
            "amount_due": amount,
            "currency": currency,
            "receipt": "rcptid_11",
            "status": "created",
            "attempts": 0,
            "notes": {},
            "created_at": int(time.time()),
        },
    )


def razorpay_refund(rsps, *, payment_id, refund_id="rfnd_FP8QHiV938haTz", amount=2360, status="processed"):
    """POST /v1/payments/{id}/refund → a refund entity (https://razorpay.com/docs/api/refunds/create-normal/)."""
    return rsps.add(
        responses.POST,
        f"{RAZORPAY_API}/payments/{payment_id}/refund",
        json={
            "id": refund_id,
            "entity": "refund",
            "amount": amount,
            "currency": "INR",
            "payment_id": payment_id,
            "notes": {},
            "receipt": None,
            "status": status,
            "speed_requested": "normal",
            "created_at": int(time.time()),
        },
    )


def razorpay_sign(body: bytes, *, secret: str = RAZORPAY_WEBHOOK_SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def razorpay_checkout_signature(order_id: str, payment_id: str, *, secret: str = RAZORPAY_KEY_SECRET) -> str:
    return hmac.new(secret.encode(), f"{order_id}|{payment_id}".encode(), hashlib.sha256).hexdigest()


def razorpay_event(
    *, event="payment.captured", order_id, payment_id="pay_29QQoUBi66xm2f", amount=2360, currency="INR",
    refund: dict | None = None, created_at: int | None = None,
) -> bytes:  # fmt: skip
    """A webhook body (https://razorpay.com/docs/webhooks/payloads/payments/)."""
    payment = {
        "id": payment_id,
        "entity": "payment",
        "amount": amount,
        "currency": currency,
        "status": "failed" if event == "payment.failed" else "captured",
        "order_id": order_id,
        "method": "upi",
        "captured": event != "payment.failed",
        "error_description": "Payment failed" if event == "payment.failed" else None,
        "notes": {},
        "created_at": int(time.time()),
    }
    contains = ["payment"]
    payload = {"payment": {"entity": payment}}
    if refund is not None:
        contains = ["refund", "payment"]
        payload["refund"] = {"entity": {"entity": "refund", "currency": currency, "payment_id": payment_id, **refund}}
    return json.dumps(
        {
            "entity": "event",
            "account_id": "acc_BFQ7uQEaa7j2z7",
            "event": event,
            "contains": contains,
            "payload": payload,
            "created_at": int(time.time()) if created_at is None else created_at,
        }
    ).encode()
