"""The same webhook delivered concurrently (Stripe retries overlap): applied once, stored once."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from django.db import connection
from django.test import Client

from makrx import metrics
from makrx.payments.models import WebhookEvent
from makrx.tests.races import run_concurrently
from store.models import Order, OrderEvent, StockLevel
from store.tests.factories import OrderFactory, OrderLineFactory, PaymentFactory, ProductFactory

SECRET = "whsec_concurrent"


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_deliveries_pay_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.RATELIMIT_ENABLE = False
    product = ProductFactory(stock=5, reserved=2)
    order = OrderFactory(total="23.60", currency="INR")
    OrderLineFactory(order=order, product=product, quantity=2)
    PaymentFactory(order=order, provider_ref="pi_dup", status="pending")
    body = json.dumps(
        {
            "id": "evt_dup",
            "type": "payment_intent.succeeded",
            "data": {"object": {"id": "pi_dup", "amount_received": 2360, "currency": "inr",
                                "metadata": {"order_number": order.number}}},
        }
    ).encode()  # fmt: skip
    stamp = int(time.time())
    signature = f"t={stamp},v1=" + hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    processed_before = metrics.WEBHOOKS.labels("stripe", "processed")._value.get()

    def deliver(_):
        return Client().post(
            "/api/v1/store/payments/webhook", data=body, content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )  # fmt: skip

    responses = run_concurrently(deliver, 8, reraise=True)
    results = [(response.status_code, response.json().get("result", "")) for response in responses]

    assert sorted(results) == [(200, "duplicate")] * 7 + [(200, "processed")]
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert WebhookEvent.objects.filter(event_id="evt_dup").count() == 1
    assert OrderEvent.objects.filter(order=order, to_status="paid").count() == 1
    level = StockLevel.objects.get(product=product)
    assert (level.on_hand, level.reserved) == (3, 0)
    assert metrics.WEBHOOKS.labels("stripe", "processed")._value.get() == processed_before + 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_offline_mark_paid_pays_once(settings, make_user):
    from makrx.payments.models import Payment

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    settings.RATELIMIT_ENABLE = False
    staff = make_user("desk", roles=["store_admin"])
    product = ProductFactory(stock=5, reserved=2)
    order = OrderFactory(total="23.60", currency="INR")
    OrderLineFactory(order=order, product=product, quantity=2)

    def mark(index):
        client = Client()
        client.force_login(staff)
        return client.post(
            f"/api/v1/store/orders/{order.number}/mark-paid/", {"method": "cash", "reference": f"till {index}"},
            content_type="application/json",
        ).status_code  # fmt: skip

    statuses = sorted(run_concurrently(mark, 5, reraise=True))

    assert statuses == [200, 409, 409, 409, 409]
    assert Payment.objects.filter(reference=order.number).count() == 1
    assert OrderEvent.objects.filter(order=order, to_status="paid").count() == 1
    level = StockLevel.objects.get(product=product)
    assert (level.on_hand, level.reserved) == (3, 0)
