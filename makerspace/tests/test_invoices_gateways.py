"""Invoices paid and refunded through the gateways end to end, mocked only at the HTTP boundary (the providers'
documented objects, ``makrx/tests/payment_providers.py``): a Razorpay order paid and reported by its signed
webhook (replayed: applied once); a Stripe refund to the card sent to Stripe and booked on the invoice."""

from __future__ import annotations

from decimal import Decimal

import pytest
import responses

from makerspace.models import Invoice, InvoicePayment
from makerspace.services import invoices as invoice_services
from makerspace.tests import factories as f
from makrx.payments.models import Payment, Refund
from makrx.tests import payment_providers as providers

pytestmark = pytest.mark.django_db
URL = "/api/v1/makerspace/invoices/"
D = Decimal


@pytest.fixture(autouse=True)
def _providers(settings):
    providers.configure(settings)


@pytest.fixture
def issued(client_for):
    member = f.MemberFactory()
    staff = f.MemberFactory(makerspace=member.makerspace, role="staff").user
    draft = invoice_services.invoice_draft_create(
        actor=staff, member=member, lines=[{"description": "CNC time", "quantity": "2", "unit_price": "500"}]
    )
    invoice = invoice_services.invoice_issue(invoice=draft, actor=staff)  # 1180.00
    return invoice, client_for(user=member.user), client_for(user=staff)


def test_razorpay_order_then_signed_webhook_pays_the_invoice_once(issued, api_client):
    invoice, member, _staff = issued
    with responses.RequestsMock() as rsps:
        providers.razorpay_order(rsps, order_id="order_INV1", amount=118000)
        started = member.post(f"{URL}{invoice.pk}/pay/", {"method": "razorpay"}, format="json")
    assert started.status_code == 200, started.json()
    assert started.json()["payment"]["checkout"]["order_id"] == "order_INV1"
    body = providers.razorpay_event(order_id="order_INV1", payment_id="pay_INV1", amount=118000)
    headers = {"HTTP_X_RAZORPAY_SIGNATURE": providers.razorpay_sign(body), "HTTP_X_RAZORPAY_EVENT_ID": "evt_inv_1"}
    first = api_client.post("/api/v1/payments/razorpay/webhook", data=body, content_type="application/json", **headers)
    replay = api_client.post("/api/v1/payments/razorpay/webhook", data=body, content_type="application/json", **headers)
    assert first.status_code == 200 and replay.status_code == 200, (first.content, replay.content)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("paid", D("1180.00"))
    assert InvoicePayment.objects.filter(invoice=invoice, kind="payment").count() == 1
    forged = api_client.post(
        "/api/v1/payments/razorpay/webhook", data=body, content_type="application/json",
        HTTP_X_RAZORPAY_SIGNATURE="0" * 64, HTTP_X_RAZORPAY_EVENT_ID="evt_inv_2",
    )  # fmt: skip
    assert forged.status_code in (400, 401, 403)


def test_stripe_refund_to_the_card_is_sent_and_booked(issued):
    invoice, member, staff = issued
    with responses.RequestsMock() as rsps:
        providers.stripe_intent(rsps, intent_id="pi_INV2", amount=118000)
        assert member.post(f"{URL}{invoice.pk}/pay/", {"method": "stripe"}, format="json").status_code == 200
    from django.db import transaction

    from makrx.payments.services import payment_capture_from_provider, payment_lock

    payment = Payment.objects.get(provider_ref="pi_INV2")
    with transaction.atomic():
        payment_capture_from_provider(payment=payment_lock(payment_id=payment.pk), provider_payment_ref="ch_INV2")
    with responses.RequestsMock() as rsps:
        providers.stripe_refund(rsps, refund_id="re_INV2", amount=30000, intent="pi_INV2")
        refunded = staff.post(
            f"{URL}{invoice.pk}/refund/", {"amount": "300.00", "reason": "machine down"}, format="json"
        )
        sent = providers.form(rsps.calls[0])
    assert refunded.status_code == 200, refunded.json()
    assert sent["amount"] == "30000" and sent["payment_intent"] == "pi_INV2"
    body = refunded.json()
    assert (body["status"], body["amount_refunded"], body["amount_credited"]) == ("paid", "300.00", "300.00")
    assert Refund.objects.get().status == "succeeded"
    assert [p["kind"] for p in body["payments"]] == ["payment", "refund"]
    assert Invoice.objects.get(pk=invoice.pk).credit_notes.get().total == D("300.00")
