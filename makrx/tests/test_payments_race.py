"""Real races on PostgreSQL: ten concurrent refunds never give back more than was paid; two concurrent
deliveries of one webhook event apply it once."""

from __future__ import annotations

from decimal import Decimal

import pytest
import responses
from django.db import connection
from django.test import Client

from makrx.errors import ConflictError
from makrx.payments import register_purpose
from makrx.payments.models import Payment, Refund, WebhookEvent
from makrx.payments.refunds import refund_create
from makrx.payments.registry import _purposes
from makrx.payments.services import payment_record_offline
from makrx.tests import payment_providers as providers
from makrx.tests.races import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)
PURPOSE = "test.race"


@pytest.fixture(autouse=True)
def postgres_and_purpose(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    providers.configure(settings)
    captured = []
    register_purpose(PURPOSE, on_captured=lambda payment, actor: captured.append(payment.pk))
    yield captured
    _purposes.pop(PURPOSE, None)


def _refund_all(payment, amount, actor, n=10):
    def attempt(_):
        return refund_create(payment=Payment.objects.get(pk=payment.pk), amount=amount, actor=actor)

    return run_concurrently(attempt, n)


def test_ten_concurrent_refunds_of_an_offline_payment_never_exceed_it(make_user):
    admin = make_user("race_admin", roles=["admin"])
    payment = payment_record_offline(
        purpose=PURPOSE, reference="R-1", amount="100.00", currency="INR", method="cash", actor=admin
    )

    outcomes = _refund_all(payment, "15.00", admin)

    done = [o for o in outcomes if isinstance(o, Refund)]
    refused = [o for o in outcomes if isinstance(o, ConflictError)]
    assert (len(done), len(refused)) == (6, 4), outcomes
    assert {o.code for o in refused} == {"refund_exceeds_paid"}
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("90.00") and payment.status == "partially_refunded"
    assert sum(r.amount for r in Refund.objects.filter(status="succeeded")) == Decimal("90.00")


def test_ten_concurrent_stripe_refunds_never_exceed_the_capture(make_user):
    admin = make_user("race_admin2", roles=["admin"])
    payment = Payment.objects.create(
        purpose=PURPOSE, reference="R-2", amount=Decimal("23.60"), currency="INR", provider="stripe",
        provider_ref="pi_race", status="captured",
    )  # fmt: skip

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_callback(
            responses.POST,
            f"{providers.STRIPE_API}/refunds",
            callback=lambda request: (
                200, {}, f'{{"id": "re_{abs(hash(request.headers["Idempotency-Key"]))}", "object": "refund", '
                         f'"amount": 500, "currency": "inr", "status": "succeeded"}}',
            ),
        )  # fmt: skip
        outcomes = _refund_all(payment, "5.00", admin)
        sent = len(rsps.calls)

    done = [o for o in outcomes if isinstance(o, Refund)]
    assert len(done) == 4 and sent == 4, outcomes  # 4 × 5.00 ≤ 23.60 < 5 × 5.00; refused ones never reach Stripe
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("20.00")
    assert Refund.objects.filter(status="succeeded").count() == 4


def test_two_concurrent_deliveries_of_one_event_apply_once(postgres_and_purpose):
    payment = Payment.objects.create(
        purpose=PURPOSE, reference="R-3", amount=Decimal("23.60"), currency="INR", provider="razorpay",
        provider_ref="order_race",
    )  # fmt: skip
    body = providers.razorpay_event(order_id="order_race", payment_id="pay_race")
    signature = providers.razorpay_sign(body)

    def deliver(_):
        return Client().post(
            "/api/v1/payments/razorpay/webhook", data=body, content_type="application/json",
            HTTP_X_RAZORPAY_SIGNATURE=signature, HTTP_X_RAZORPAY_EVENT_ID="evt_race",
        )  # fmt: skip

    results = sorted(r.json()["result"] for r in run_concurrently(deliver, 2, reraise=True))

    assert results == ["duplicate", "processed"]
    assert postgres_and_purpose == [payment.pk]
    assert WebhookEvent.objects.filter(event_id="evt_race").count() == 1
    assert Payment.objects.get(pk=payment.pk).status == "captured"


def test_checkout_confirmation_racing_the_webhook_captures_once(postgres_and_purpose):
    from makrx.auth.scoping import SYSTEM
    from makrx.payments.services import payment_confirm_checkout

    payment = Payment.objects.create(
        purpose=PURPOSE, reference="R-4", amount=Decimal("23.60"), currency="INR", provider="razorpay",
        provider_ref="order_both",
    )  # fmt: skip
    body = providers.razorpay_event(order_id="order_both", payment_id="pay_both")
    answer = {
        "razorpay_order_id": "order_both",
        "razorpay_payment_id": "pay_both",
        "razorpay_signature": providers.razorpay_checkout_signature("order_both", "pay_both"),
    }

    def either(index):
        if index % 2:
            return payment_confirm_checkout(provider="razorpay", data=answer, actor=SYSTEM).status
        return Client().post(
            "/api/v1/payments/razorpay/webhook", data=body, content_type="application/json",
            HTTP_X_RAZORPAY_SIGNATURE=providers.razorpay_sign(body), HTTP_X_RAZORPAY_EVENT_ID=f"evt_both_{index}",
        ).status_code  # fmt: skip

    outcomes = run_concurrently(either, 6, reraise=True)

    assert outcomes == [200, "captured"] * 3
    assert postgres_and_purpose == [payment.pk]  # on_captured ran once whoever came first
