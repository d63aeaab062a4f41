"""Store payments: Stripe PaymentIntents (mocked at the HTTP boundary) and signed webhooks on the store's
paths applied exactly once, through the platform's flow (makrx.payments)."""

from __future__ import annotations

import hashlib
import time
from decimal import Decimal

import pytest
import responses

from makrx.payments.models import Payment, WebhookEvent
from makrx.tests import payment_providers as providers
from store.models import Cart, Order, OrderEvent, StockLevel
from store.tests.factories import CartFactory, CartItemFactory, PaymentFactory, ProductFactory

pytestmark = pytest.mark.django_db

WEBHOOK = "/api/v1/store/payments/webhook"
SECRET = providers.STRIPE_SECRET
INTENT = "pi_123"


@pytest.fixture(autouse=True)
def stripe_settings(settings):
    providers.configure(settings)
    settings.DEFAULT_TAX_RATE = Decimal("18")


def _order(client, *, price="10.00", quantity=2, stock=5):
    product = ProductFactory(price=Decimal(price), stock=stock)
    cart = Cart.objects.filter(user=client.user).first() or CartFactory(user=client.user)
    CartItemFactory(cart=cart, product=product, quantity=quantity)
    response = client.post("/api/v1/store/checkout/", {}, format="json")
    assert response.status_code == 201, response.json()
    return Order.objects.get(number=response.json()["number"]), product


def _paying(client, **kwargs):
    """An order whose customer started paying it (a PaymentIntent ``pi_123`` of 23.60 INR)."""
    order, product = _order(client, **kwargs)
    with responses.RequestsMock() as rsps:
        providers.stripe_intent(rsps, intent_id=INTENT)
        assert client.post(f"/api/v1/store/orders/{order.number}/payment/").status_code == 201
    return order, product


def _sign(body: bytes, *, secret: str = SECRET, timestamp: int | None = None) -> str:
    return providers.stripe_sign(body, secret=secret, timestamp=timestamp)


def _event(order, *, event_id="evt_1", type_="payment_intent.succeeded", amount=None, currency=None, ref=INTENT):
    status = "succeeded" if type_ == "payment_intent.succeeded" else "requires_payment_method"
    obj = providers.stripe_intent_object(
        intent_id=ref,
        amount=2360 if amount is None else amount,
        currency=currency or order.currency.lower(),
        status=status,
        metadata={"purpose": "store.order", "reference": order.number},
    )
    if amount is not None:
        obj["amount_received"] = amount
    return providers.stripe_event(event_id=event_id, type_=type_, obj=obj)


def _deliver(api_client, body: bytes, signature: str | None, **extra):
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature is not None else {}
    return api_client.post(WEBHOOK, data=body, content_type="application/json", **headers, **extra)


# --- creating a payment --------------------------------------------------------------------------


def test_payment_creates_a_payment_intent_in_minor_units(client_for):
    client = client_for()
    order, _ = _order(client)  # 2 x 10.00 + 18 % = 23.60

    with responses.RequestsMock() as rsps:
        providers.stripe_intent(rsps, intent_id=INTENT)
        response = client.post(f"/api/v1/store/orders/{order.number}/payment/", HTTP_IDEMPOTENCY_KEY="pay-1")
        replay = client.post(f"/api/v1/store/orders/{order.number}/payment/", HTTP_IDEMPOTENCY_KEY="pay-1")
        again = client.post(f"/api/v1/store/orders/{order.number}/payment/", HTTP_IDEMPOTENCY_KEY="pay-2")
        calls = list(rsps.calls)

    assert response.status_code == 201, response.json()
    assert response.json()["client_secret"] == f"{INTENT}_secret_YrKJUKribcBjcG8HVhfZluoGH"
    assert replay.json() == response.json() and again.json() == response.json()
    assert len(calls) == 1  # the same order and amount never start a second PaymentIntent
    sent = providers.form(calls[0])
    assert (sent["amount"], sent["currency"]) == ("2360", "inr")
    assert sent["metadata[purpose]"] == "store.order" and sent["metadata[reference]"] == order.number
    assert calls[0].request.headers["Idempotency-Key"] == f"makrx:store.order:{order.number}:2360-INR"
    payment = Payment.objects.get()
    assert (payment.provider_ref, payment.amount, payment.status) == (INTENT, Decimal("23.60"), "pending")
    assert (payment.purpose, payment.reference) == ("store.order", order.number)


def test_payment_without_stripe_key_is_503(client_for, settings):
    client = client_for()
    order, _ = _order(client)
    settings.STRIPE_API_KEY = ""

    response = client.post(f"/api/v1/store/orders/{order.number}/payment/")

    assert response.status_code == 503 and response.json()["code"] == "payments_unavailable"
    assert Payment.objects.count() == 0


def test_stripe_failure_is_503_and_nothing_stored(client_for):
    client = client_for()
    order, _ = _order(client)

    with responses.RequestsMock() as rsps:
        providers.stripe_intent(rsps, status=500)
        response = client.post(f"/api/v1/store/orders/{order.number}/payment/")

    assert response.status_code == 503 and response.json()["code"] == "payment_provider_error"
    assert Payment.objects.count() == 0


def test_paid_order_cannot_be_paid_again(client_for):
    client = client_for()
    order, _ = _order(client)
    Order.objects.filter(pk=order.pk).update(status="paid")

    response = client.post(f"/api/v1/store/orders/{order.number}/payment/")

    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_someone_elses_order_is_404(client_for):
    order, _ = _order(client_for())

    assert client_for().post(f"/api/v1/store/orders/{order.number}/payment/").status_code == 404


# --- webhooks ------------------------------------------------------------------------------------


def test_succeeded_event_marks_the_order_paid_once(client_for, api_client):
    order, product = _paying(client_for())
    body = _event(order)

    first = _deliver(api_client, body, _sign(body))
    second = _deliver(api_client, body, _sign(body))

    assert first.status_code == 200 and first.json() == {"received": True, "result": "processed"}
    assert second.status_code == 200 and second.json()["result"] == "duplicate"
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_at is not None
    level = StockLevel.objects.get(product=product)
    assert (level.on_hand, level.reserved) == (3, 0)
    assert WebhookEvent.objects.count() == 1
    event = WebhookEvent.objects.get()
    assert (event.event_id, event.result, event.signature_valid) == ("evt_1", "processed", True)
    assert Payment.objects.get().status == "captured"
    assert OrderEvent.objects.filter(order=order, to_status="paid").count() == 1


def test_a_second_event_for_the_same_intent_does_not_pay_twice(client_for, api_client):
    order, product = _paying(client_for())
    for event_id in ("evt_a", "evt_b"):
        body = _event(order, event_id=event_id)
        assert _deliver(api_client, body, _sign(body)).status_code == 200

    assert OrderEvent.objects.filter(order=order, to_status="paid").count() == 1
    assert StockLevel.objects.get(product=product).on_hand == 3


@pytest.mark.parametrize(
    "make_signature",
    [
        pytest.param(lambda body: None, id="missing"),
        pytest.param(lambda body: "garbage", id="garbage"),
        pytest.param(lambda body: _sign(body, secret="whsec_wrong"), id="wrong-secret"),
        pytest.param(lambda body: _sign(body.replace(b"evt_1", b"evt_2")), id="tampered-body"),
        pytest.param(lambda body: _sign(body, timestamp=int(time.time()) - 301), id="replay-too-old"),
        pytest.param(lambda body: _sign(body, timestamp=int(time.time()) + 3600), id="from-the-future"),
    ],
)
def test_forged_deliveries_change_nothing_but_are_logged(client_for, api_client, make_signature):
    order, product = _paying(client_for())
    body = _event(order)

    response = _deliver(api_client, body, make_signature(body))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature" and "request_id" in response.json()
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert StockLevel.objects.get(product=product).reserved == 2
    rejected = WebhookEvent.objects.get()
    assert (rejected.signature_valid, rejected.result) == (False, "rejected")
    assert Payment.objects.get().status == "pending"


def test_a_forgery_does_not_block_the_real_event(client_for, api_client):
    order, _ = _paying(client_for())
    body = _event(order)
    _deliver(api_client, body, _sign(body, secret="whsec_wrong"))

    assert _deliver(api_client, body, _sign(body)).json()["result"] == "processed"
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_no_webhook_secret_configured_rejects(client_for, api_client, settings):
    order, _ = _paying(client_for())
    body = _event(order)
    signature = _sign(body)
    settings.STRIPE_WEBHOOK_SECRET = ""

    assert _deliver(api_client, body, signature).status_code == 400
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


@pytest.mark.parametrize("amount, currency", [(100, None), (2360, "usd")])
def test_amount_or_currency_mismatch_is_recorded_not_applied(client_for, api_client, amount, currency):
    order, _ = _paying(client_for())
    body = _event(order, amount=amount, currency=currency)

    response = _deliver(api_client, body, _sign(body))

    assert response.status_code == 200 and response.json()["result"] == "mismatch"
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    event = WebhookEvent.objects.get()
    assert event.result == "mismatch" and "mismatch" in event.error
    assert Payment.objects.get().status == "pending"


def test_payment_failed_is_recorded(client_for, api_client):
    order, _ = _order(client_for())
    PaymentFactory(order=order, provider_ref=INTENT, status="pending")
    body = _event(order, type_="payment_intent.payment_failed")

    assert _deliver(api_client, body, _sign(body)).json()["result"] == "processed"
    assert Payment.objects.get().status == "failed"
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    assert OrderEvent.objects.filter(order=order, kind="payment_failed").exists()


def test_other_event_types_are_stored_and_ignored(client_for, api_client):
    order, _ = _paying(client_for())
    body = _event(order, type_="customer.created")

    assert _deliver(api_client, body, _sign(body)).json()["result"] == "ignored"
    assert WebhookEvent.objects.get().result == "ignored"


def test_payment_for_an_expired_order_is_recorded_for_a_refund(client_for, api_client):
    client = client_for()
    order, _ = _paying(client)
    client.post(f"/api/v1/store/orders/{order.number}/cancel/", {}, format="json")
    body = _event(order)

    response = _deliver(api_client, body, _sign(body))

    assert response.status_code == 200 and response.json()["result"] == "failed"
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    payment = Payment.objects.get()
    assert payment.status == "captured" and "Refund it" in payment.error  # the money is real: staff refund it
    assert WebhookEvent.objects.get().result == "failed"


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"no": "id"}', b"\xff\xfe"])
def test_signed_garbage_is_400_not_500(api_client, body):
    response = _deliver(api_client, body, _sign(body) if body != b"\xff\xfe" else "t=1,v1=00")

    assert response.status_code == 400
    assert Order.objects.count() == 0


def test_razorpay_signature_on_the_store_path(client_for, api_client):
    client = client_for()
    order, _ = _order(client)
    with responses.RequestsMock() as rsps:
        providers.razorpay_order(rsps, order_id="order_1")
        started = client.post(f"/api/v1/store/orders/{order.number}/payment/", {"provider": "razorpay"}, format="json")
    assert started.status_code == 201 and started.json()["checkout"]["order_id"] == "order_1"
    body = providers.razorpay_event(order_id="order_1", payment_id="pay_1")
    url = f"{WEBHOOK}/razorpay"

    bad = api_client.post(url, data=body, content_type="application/json", HTTP_X_RAZORPAY_SIGNATURE="0" * 64)
    assert bad.status_code == 400 and Order.objects.get(pk=order.pk).status == "pending_payment"
    good = providers.razorpay_sign(body)
    ok = api_client.post(url, data=body, content_type="application/json", HTTP_X_RAZORPAY_SIGNATURE=good)
    assert ok.json()["result"] == "processed"
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_webhook_path_with_a_trailing_slash_works_too(client_for, api_client):
    order, _ = _paying(client_for())
    body = _event(order)

    response = api_client.post(
        f"{WEBHOOK}/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=_sign(body)
    )

    assert response.status_code == 200 and Order.objects.get(pk=order.pk).status == "paid"


def test_webhooks_are_rate_limited(api_client, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {"webhooks": "2/h"}

    statuses = [_deliver(api_client, b"{}", "t=1,v1=00").status_code for _ in range(3)]

    assert statuses == [400, 400, 429]
    assert WebhookEvent.objects.count() == 2


@pytest.mark.parametrize(
    "body", [b'{"id": "\\ud800"}', b'{"id": "evt_\\u0000"}', b'{"id": "evt_1", "amount": 1e400}', b"\x00"]
)
def test_unsigned_unstorable_json_is_refused_and_still_recorded(api_client, body):
    """Regression (fuzzing): PostgreSQL refused the payload of the rejected delivery (DataError), so the forgery
    answered a generic 400 and left no WebhookEvent behind."""
    response = _deliver(api_client, body, "t=1,v1=00")

    assert response.status_code == 400 and response.json()["code"] == "invalid_signature"
    rejected = WebhookEvent.objects.get()
    assert (rejected.signature_valid, rejected.result) == (False, "rejected")
    assert rejected.payload == {} and rejected.body_sha256 == hashlib.sha256(body).hexdigest()


# --- deliveries that fail verification: a digest, rate-limited, purged ------------------------------


def test_forged_delivery_stores_a_digest_never_the_body(client_for, api_client):
    order, _ = _paying(client_for())
    body = _event(order).replace(b"evt_1", b"evt_" + "секрет".encode() * 100)

    response = _deliver(api_client, body, _sign(body, secret="whsec_wrong"), REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 400
    rejected = WebhookEvent.objects.get()
    assert rejected.result == "rejected" and rejected.signature_valid is False
    assert rejected.payload == {} and rejected.event_id == "" and rejected.type == ""
    assert rejected.body_sha256 == hashlib.sha256(body).hexdigest() and rejected.body_size == len(body)
    assert rejected.signature_present is True
    assert rejected.client_ip == "203.0.113.9"
    assert rejected.request_id == response["X-Request-ID"]
    assert rejected.error.startswith("signature:") and len(rejected.error) <= 200
    # Nothing of the body anywhere in the row.
    row = WebhookEvent.objects.filter(pk=rejected.pk).values().get()
    assert not any("секрет" in str(value) or order.number in str(value) for value in row.values())


def test_unsigned_delivery_records_that_no_signature_was_sent(api_client):
    assert _deliver(api_client, b'{"id": "evt_x"}', None).status_code == 400
    rejected = WebhookEvent.objects.get()
    assert rejected.signature_present is False and rejected.body_size == len(b'{"id": "evt_x"}')


def test_verified_delivery_keeps_what_processing_needs(client_for, api_client):
    order, _ = _paying(client_for())
    body = _event(order)

    assert _deliver(api_client, body, _sign(body)).json()["result"] == "processed"

    event = WebhookEvent.objects.get()
    assert event.signature_valid and event.payload["id"] == "evt_1" and event.event_id == "evt_1"
    assert event.body_sha256 == hashlib.sha256(body).hexdigest() and event.signature_present


def test_a_flood_of_forgeries_writes_a_bounded_number_of_rows(client_for, api_client, settings):
    order, _ = _paying(client_for())
    settings.RATELIMIT_ENABLE = True
    # Per day: django-ratelimit windows are fixed, so a per-minute window could reset in the middle of the flood.
    settings.RATE_LIMITS = {"webhooks_rejected": "30/d"}
    body = _event(order)

    statuses = [
        _deliver(api_client, body, _sign(body, secret="whsec_wrong"), REMOTE_ADDR="198.51.100.7").status_code
        for _ in range(200)
    ]

    assert statuses[:30] == [400] * 30 and statuses[30:] == [429] * 170
    assert WebhookEvent.objects.count() == 30
    limited = _deliver(api_client, body, "t=1,v1=00", REMOTE_ADDR="198.51.100.7")
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert limited.json()["code"] == "rate_limited"
    # Another client is not blocked by that flood, and the real, signed event still goes through.
    assert _deliver(api_client, body, "t=1,v1=00", REMOTE_ADDR="198.51.100.8").status_code == 400
    assert _deliver(api_client, body, _sign(body), REMOTE_ADDR="198.51.100.7").json()["result"] == "processed"
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_purge_removes_old_rejected_rows_and_keeps_verified_ones(settings):
    from datetime import timedelta

    from django.utils import timezone

    from store.tasks import purge_rejected_webhooks_task
    from store.tests.factories import WebhookEventFactory

    settings.WEBHOOK_REJECTED_RETENTION_DAYS = 7
    old = timezone.now() - timedelta(days=8)
    old_rejected = WebhookEventFactory.create_batch(3, signature_valid=False, result="rejected", event_id="")
    fresh_rejected = WebhookEventFactory(signature_valid=False, result="rejected", event_id="")
    old_verified = WebhookEventFactory(result="processed")
    WebhookEvent.objects.filter(pk__in=[e.pk for e in [*old_rejected, old_verified]]).update(created_at=old)

    assert purge_rejected_webhooks_task.delay().get() == 3
    assert purge_rejected_webhooks_task.delay().get() == 0  # idempotent

    assert set(WebhookEvent.objects.values_list("pk", flat=True)) == {fresh_rejected.pk, old_verified.pk}
