"""Provider webhooks and the Razorpay checkout on the platform paths: signatures valid, forged, replayed and
stale for both providers (documented schemes); each event applied once; amount mismatch; refunds settled."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
import responses

from makrx.payments import register_purpose
from makrx.payments.models import Payment, Refund, WebhookEvent
from makrx.payments.registry import _purposes
from makrx.tests import payment_providers as providers

pytestmark = pytest.mark.django_db

PURPOSE = "test.hooked"
STRIPE = "/api/v1/payments/stripe/webhook"
RAZORPAY = "/api/v1/payments/razorpay/webhook"
CONFIRM = "/api/v1/payments/razorpay/confirm/"


@pytest.fixture(autouse=True)
def configured(settings):
    providers.configure(settings)


@pytest.fixture
def hooks():
    calls = {"captured": [], "failed": [], "refunded": []}
    register_purpose(
        PURPOSE,
        on_captured=lambda payment, actor: calls["captured"].append(payment.pk),
        on_failed=lambda payment, actor: calls["failed"].append(payment.pk),
        on_refunded=lambda payment, refund, actor: calls["refunded"].append(refund.pk),
    )
    yield calls
    _purposes.pop(PURPOSE, None)


def _payment(provider="stripe", ref="pi_W", **fields):
    return Payment.objects.create(
        purpose=PURPOSE, reference="W-1", amount=Decimal("23.60"), currency="INR", provider=provider,
        provider_ref=ref, **fields,
    )  # fmt: skip


def _stripe_body(*, event_id="evt_W1", type_="payment_intent.succeeded", amount=2360, currency="inr", ref="pi_W"):
    status = "succeeded" if type_.endswith("succeeded") else "requires_payment_method"
    obj = providers.stripe_intent_object(intent_id=ref, amount=amount, currency=currency, status=status)
    return providers.stripe_event(event_id=event_id, type_=type_, obj=obj)


def _post_stripe(api_client, body, signature):
    return api_client.post(STRIPE, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


def _post_razorpay(api_client, body, signature, **headers):
    return api_client.post(
        RAZORPAY, data=body, content_type="application/json", HTTP_X_RAZORPAY_SIGNATURE=signature, **headers
    )


# --- Stripe ------------------------------------------------------------------------------------------------


def test_stripe_valid_signature_captures_once(api_client, hooks):
    payment = _payment()
    body = _stripe_body()

    first = _post_stripe(api_client, body, providers.stripe_sign(body))
    replayed = _post_stripe(api_client, body, providers.stripe_sign(body))

    assert first.json() == {"received": True, "result": "processed"}
    assert replayed.json()["result"] == "duplicate"
    payment.refresh_from_db()
    assert payment.status == "captured" and payment.captured_at is not None
    assert hooks["captured"] == [payment.pk]
    assert WebhookEvent.objects.filter(signature_valid=True).count() == 1


@pytest.mark.parametrize(
    "sign",
    [
        pytest.param(lambda body: providers.stripe_sign(body, secret="whsec_other"), id="forged"),
        pytest.param(lambda body: providers.stripe_sign(body, timestamp=int(time.time()) - 301), id="stale"),
        pytest.param(lambda body: providers.stripe_sign(body, timestamp=int(time.time()) + 301), id="future"),
        pytest.param(lambda body: providers.stripe_sign(b"{}"), id="other-body"),
        pytest.param(lambda body: "", id="missing"),
    ],
)
def test_stripe_bad_signatures_change_nothing(api_client, hooks, sign):
    payment = _payment()
    body = _stripe_body()

    response = _post_stripe(api_client, body, sign(body))

    assert response.status_code == 400 and response.json()["code"] == "invalid_signature"
    assert Payment.objects.get(pk=payment.pk).status == "pending" and hooks["captured"] == []
    assert WebhookEvent.objects.get().result == "rejected"


def test_stripe_amount_mismatch_is_recorded_not_applied(api_client, hooks):
    payment = _payment()
    body = _stripe_body(amount=100)

    assert _post_stripe(api_client, body, providers.stripe_sign(body)).json()["result"] == "mismatch"
    assert Payment.objects.get(pk=payment.pk).status == "pending" and hooks["captured"] == []
    event = WebhookEvent.objects.get()
    assert event.result == "mismatch" and "100 INR" in event.error and event.payment_id == payment.pk


def test_stripe_payment_failed_then_succeeded(api_client, hooks):
    payment = _payment()
    failed = _stripe_body(event_id="evt_f", type_="payment_intent.payment_failed")
    _post_stripe(api_client, failed, providers.stripe_sign(failed))
    payment.refresh_from_db()
    assert payment.status == "failed" and "declined" in payment.error and hooks["failed"] == [payment.pk]

    succeeded = _stripe_body(event_id="evt_s")
    assert _post_stripe(api_client, succeeded, providers.stripe_sign(succeeded)).json()["result"] == "processed"
    assert Payment.objects.get(pk=payment.pk).status == "captured" and hooks["captured"] == [payment.pk]


def test_stripe_refund_webhook_settles_a_pending_refund(api_client, hooks):
    payment = _payment(status="captured", amount_refunded=Decimal("23.60"))
    refund = Refund.objects.create(payment=payment, amount=Decimal("23.60"), currency="INR", provider_ref="re_W")
    obj = {"id": "re_W", "object": "refund", "amount": 2360, "currency": "inr", "payment_intent": "pi_W",
           "status": "succeeded"}  # fmt: skip
    body = providers.stripe_event(event_id="evt_r", type_="refund.updated", obj=obj)

    assert _post_stripe(api_client, body, providers.stripe_sign(body)).json()["result"] == "processed"

    refund.refresh_from_db()
    payment.refresh_from_db()
    assert (refund.status, payment.status) == ("succeeded", "refunded") and hooks["refunded"] == [refund.pk]


def test_stripe_charge_refunded_from_the_dashboard_is_recorded(api_client, hooks):
    payment = _payment(status="captured")
    charge = {
        "id": "ch_W", "object": "charge", "amount": 2360, "amount_refunded": 1000, "currency": "inr",
        "payment_intent": "pi_W",
        "refunds": {"object": "list", "data": [{"id": "re_dash", "object": "refund", "amount": 1000,
                                                "status": "succeeded", "payment_intent": "pi_W"}]},
    }  # fmt: skip
    body = providers.stripe_event(event_id="evt_c", type_="charge.refunded", obj=charge)

    assert _post_stripe(api_client, body, providers.stripe_sign(body)).json()["result"] == "processed"

    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == ("partially_refunded", Decimal("10.00"))
    assert Refund.objects.get().provider_ref == "re_dash"


# --- Razorpay ----------------------------------------------------------------------------------------------


def test_razorpay_captured_processed_once(api_client, hooks):
    payment = _payment(provider="razorpay", ref="order_W")
    body = providers.razorpay_event(order_id="order_W", payment_id="pay_W")
    signature = providers.razorpay_sign(body)

    first = _post_razorpay(api_client, body, signature, HTTP_X_RAZORPAY_EVENT_ID="evt_rzp_1")
    replayed = _post_razorpay(api_client, body, signature, HTTP_X_RAZORPAY_EVENT_ID="evt_rzp_1")
    # A retry without the header is the same payment reaching the same state: a duplicate too.
    again = _post_razorpay(api_client, body, signature)
    second_again = _post_razorpay(api_client, body, signature)

    assert [r.json()["result"] for r in (first, replayed, again, second_again)] == [
        "processed", "duplicate", "processed", "duplicate",
    ]  # fmt: skip
    payment.refresh_from_db()
    assert (payment.status, payment.provider_payment_ref) == ("captured", "pay_W")
    assert hooks["captured"] == [payment.pk]  # the second event changed nothing


@pytest.mark.parametrize(
    "variant",
    ["forged", "tampered", "missing", "stale"],
)
def test_razorpay_bad_signatures_change_nothing(api_client, hooks, variant):
    payment = _payment(provider="razorpay", ref="order_W")
    created_at = int(time.time()) - 3 * 24 * 3600 if variant == "stale" else None
    body = providers.razorpay_event(order_id="order_W", created_at=created_at)
    signature = {
        "forged": providers.razorpay_sign(body, secret="other"),
        "tampered": providers.razorpay_sign(body.replace(b"2360", b"1")),
        "missing": "",
        "stale": providers.razorpay_sign(body),  # correctly signed, but days old: a replay
    }[variant]

    response = _post_razorpay(api_client, body, signature)

    assert response.status_code == 400 and response.json()["code"] == "invalid_signature"
    assert Payment.objects.get(pk=payment.pk).status == "pending" and hooks["captured"] == []


def test_razorpay_amount_mismatch(api_client, hooks):
    _payment(provider="razorpay", ref="order_W")
    body = providers.razorpay_event(order_id="order_W", amount=100)

    assert _post_razorpay(api_client, body, providers.razorpay_sign(body)).json()["result"] == "mismatch"
    assert hooks["captured"] == []


def test_razorpay_failed_and_refund_processed(api_client, hooks):
    payment = _payment(provider="razorpay", ref="order_W")
    failed = providers.razorpay_event(event="payment.failed", order_id="order_W", payment_id="pay_bad")
    assert _post_razorpay(api_client, failed, providers.razorpay_sign(failed)).json()["result"] == "processed"
    assert Payment.objects.get(pk=payment.pk).status == "failed"

    Payment.objects.filter(pk=payment.pk).update(
        status="captured", provider_payment_ref="pay_W", amount_refunded=Decimal("10.00")
    )
    refund = Refund.objects.create(payment=payment, amount=Decimal("10.00"), currency="INR", provider_ref="rfnd_W")
    body = providers.razorpay_event(
        event="refund.processed", order_id="order_W", payment_id="pay_W",
        refund={"id": "rfnd_W", "amount": 1000, "status": "processed"},
    )  # fmt: skip
    assert _post_razorpay(api_client, body, providers.razorpay_sign(body)).json()["result"] == "processed"
    refund.refresh_from_db()
    assert refund.status == "succeeded" and Payment.objects.get(pk=payment.pk).status == "partially_refunded"


def test_razorpay_checkout_signature_captures(api_client, hooks):
    payment = _payment(provider="razorpay", ref="order_W")
    data = {
        "razorpay_order_id": "order_W",
        "razorpay_payment_id": "pay_W",
        "razorpay_signature": providers.razorpay_checkout_signature("order_W", "pay_W"),
    }

    forged = api_client.post(CONFIRM, {**data, "razorpay_payment_id": "pay_other"}, format="json")
    assert forged.status_code == 400 and forged.json()["code"] == "invalid_signature"
    assert Payment.objects.get(pk=payment.pk).status == "pending"

    confirmed = api_client.post(CONFIRM, data, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "captured"
    # The webhook that follows finds it captured and changes nothing.
    body = providers.razorpay_event(order_id="order_W", payment_id="pay_W")
    assert _post_razorpay(api_client, body, providers.razorpay_sign(body)).json()["result"] == "processed"
    assert hooks["captured"] == [payment.pk]


def test_razorpay_checkout_for_an_unknown_order_is_404(api_client, hooks):
    data = {
        "razorpay_order_id": "order_unknown",
        "razorpay_payment_id": "pay_W",
        "razorpay_signature": providers.razorpay_checkout_signature("order_unknown", "pay_W"),
    }
    assert api_client.post(CONFIRM, data, format="json").status_code == 404


def test_razorpay_order_create_and_checkout_end_to_end(hooks):
    from makrx.auth.scoping import SYSTEM
    from makrx.payments.services import payment_confirm_checkout, payment_start

    with responses.RequestsMock() as rsps:
        providers.razorpay_order(rsps, order_id="order_E2E", amount=50000)
        started = payment_start(
            purpose=PURPOSE, reference="E-1", amount="500", currency="INR", provider="razorpay", actor=SYSTEM
        )
    signature = providers.razorpay_checkout_signature("order_E2E", "pay_E2E")
    paid = payment_confirm_checkout(
        provider="razorpay",
        data={"razorpay_order_id": "order_E2E", "razorpay_payment_id": "pay_E2E", "razorpay_signature": signature},
        actor=SYSTEM,
    )
    assert paid.pk == started.payment.pk and paid.status == "captured" and paid.provider_payment_ref == "pay_E2E"
    assert hooks["captured"] == [paid.pk]


def test_a_refund_webhook_quicker_than_our_call_settles_our_refund_not_a_second_one(api_client, hooks):
    payment = _payment(status="captured", amount_refunded=Decimal("10.00"))
    ours = Refund.objects.create(payment=payment, amount=Decimal("10.00"), currency="INR")  # provider id not yet known
    obj = {"id": "re_fast", "object": "refund", "amount": 1000, "currency": "inr", "payment_intent": "pi_W",
           "status": "succeeded", "metadata": {"makrx_refund": str(ours.pk)}}  # fmt: skip
    body = providers.stripe_event(event_id="evt_fast", type_="refund.created", obj=obj)

    assert _post_stripe(api_client, body, providers.stripe_sign(body)).json()["result"] == "processed"

    ours.refresh_from_db()
    payment.refresh_from_db()
    assert (ours.status, ours.provider_ref) == ("succeeded", "re_fast") and Refund.objects.count() == 1
    assert (payment.status, payment.amount_refunded) == ("partially_refunded", Decimal("10.00"))
