"""Store staff mark orders paid offline (cash, bank transfer, UPI) with exactly the effects of a provider
payment, and refund orders' money (partial, full, through the provider), never above what was paid."""

from __future__ import annotations

from decimal import Decimal

import pytest
import responses

from makrx.models import Notification
from makrx.payments.models import Payment, Refund
from makrx.tests import payment_providers as providers
from store.models import Cart, Order, ServiceOrder, StockLevel
from store.tests.factories import CartFactory, CartItemFactory, ProductFactory, QuoteFactory, ServiceOrderFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/store/orders/"


@pytest.fixture(autouse=True)
def configured(settings):
    providers.configure(settings)
    settings.DEFAULT_TAX_RATE = Decimal("18")


@pytest.fixture
def staff(client_for):
    return client_for(roles=["store_admin"])


def _order(client, *, price="10.00", quantity=2, stock=5, with_service_order=False):
    """A checked-out order (2 × 10.00 + 18 % = 23.60, two units reserved), optionally behind a service order."""
    product = ProductFactory(price=Decimal(price), stock=stock)
    cart = Cart.objects.filter(user=client.user).first() or CartFactory(user=client.user)
    CartItemFactory(cart=cart, product=product, quantity=quantity)
    response = client.post("/api/v1/store/checkout/", {}, format="json")
    assert response.status_code == 201, response.json()
    order = Order.objects.get(number=response.json()["number"])
    if with_service_order:
        ServiceOrderFactory(order=order, user=order.user, quote=QuoteFactory(user=order.user, total=order.total))
    return order, product


def _pay_through_stripe(client, api_client, order):
    with responses.RequestsMock() as rsps:
        providers.stripe_intent(rsps, intent_id=f"pi_{order.number}")
        assert client.post(f"{ORDERS}{order.number}/payment/").status_code == 201
    obj = providers.stripe_intent_object(intent_id=f"pi_{order.number}", amount=2360)
    body = providers.stripe_event(event_id=f"evt_{order.number}", obj=obj)
    response = api_client.post(
        "/api/v1/store/payments/webhook", data=body, content_type="application/json",
        HTTP_STRIPE_SIGNATURE=providers.stripe_sign(body),
    )  # fmt: skip
    assert response.json()["result"] == "processed"


def _effects(order, product):
    order.refresh_from_db()
    level = StockLevel.objects.get(product=product)
    return {
        "order": order.status,
        "paid_at_set": order.paid_at is not None,
        "stock": (level.on_hand, level.reserved),
        "service_order": ServiceOrder.objects.get(order=order).status,
        "notified": list(
            Notification.objects.filter(user=order.user, kind="order.paid").values_list("kind", flat=True)
        ),
        "payment": list(Payment.objects.filter(reference=order.number).values_list("status", flat=True)),
    }


def test_offline_payment_has_exactly_the_effects_of_a_provider_payment(client_for, api_client, staff):
    online_customer, offline_customer = client_for(), client_for()
    online, online_product = _order(online_customer, with_service_order=True)
    offline, offline_product = _order(offline_customer, with_service_order=True)

    _pay_through_stripe(online_customer, api_client, online)
    marked = staff.post(f"{ORDERS}{offline.number}/mark-paid/", {"method": "upi_offline", "reference": "UPI-123"})

    assert marked.status_code == 200, marked.json()
    assert marked.json()["status"] == "paid"
    assert marked.json()["payments"][0]["provider"] == "upi_offline"
    expected = {
        "order": "paid",
        "paid_at_set": True,
        "stock": (3, 0),  # the two reserved units left for good
        "service_order": "dispatched",  # paid, then published to a makerspace at once (auto-publish)
        "notified": ["order.paid"],
        "payment": ["captured"],
    }
    assert _effects(online, online_product) == expected
    assert _effects(offline, offline_product) == expected
    payment = Payment.objects.get(reference=offline.number)
    assert (payment.actor, payment.provider, payment.offline_reference, payment.amount) == (
        staff.user, "upi_offline", "UPI-123", Decimal("23.60"),
    )  # fmt: skip


def test_mark_paid_is_store_staff_only(client_for):
    customer = client_for()
    order, _ = _order(customer)

    assert customer.post(f"{ORDERS}{order.number}/mark-paid/", {"method": "cash"}).status_code == 403
    assert (
        client_for(roles=["makerspace_admin"])
        .post(f"{ORDERS}{order.number}/mark-paid/", {"method": "cash"})
        .status_code
        == 403
    )
    assert Order.objects.get(pk=order.pk).status == "pending_payment" and not Payment.objects.exists()


def test_mark_paid_validates_and_refuses_twice(client_for, staff):
    order, _ = _order(client_for())
    url = f"{ORDERS}{order.number}/mark-paid/"

    assert staff.post(url, {"method": "cheque"}).status_code == 400
    no_reference = staff.post(url, {"method": "bank_transfer"})
    assert no_reference.status_code == 400 and "reference" in no_reference.json()["errors"]
    assert staff.post(url, {"method": "cash"}).status_code == 200
    again = staff.post(url, {"method": "cash"})
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert Payment.objects.count() == 1


def test_partial_then_full_refund_of_an_offline_payment(client_for, staff):
    order, product = _order(client_for())
    staff.post(f"{ORDERS}{order.number}/mark-paid/", {"method": "cash", "reference": "R1"})
    url = f"{ORDERS}{order.number}/refund/"

    partial = staff.post(url, {"amount": "10.00", "reason": "one part missing"}, format="json")
    assert partial.status_code == 200 and partial.json()["status"] == "paid"
    assert partial.json()["payments"][0]["amount_refunded"] == "10.00"
    too_much = staff.post(url, {"amount": "13.61"}, format="json")
    assert too_much.status_code == 409 and too_much.json()["code"] == "refund_exceeds_paid"
    rest = staff.post(url, {"reason": "customer returned it"}, format="json")

    assert rest.status_code == 200 and rest.json()["status"] == "refunded"
    assert [r.amount for r in Refund.objects.order_by("id")] == [Decimal("10.00"), Decimal("13.60")]
    level = StockLevel.objects.get(product=product)
    assert level.on_hand == 5  # not shipped: back on the shelf
    assert staff.post(url, {}, format="json").status_code == 409


def test_refund_of_a_stripe_paid_order_is_sent_to_stripe(client_for, api_client, staff):
    customer = client_for()
    order, _ = _order(customer)
    _pay_through_stripe(customer, api_client, order)

    with responses.RequestsMock() as rsps:
        providers.stripe_refund(rsps, refund_id="re_order", amount=2360, intent=f"pi_{order.number}")
        response = staff.post(f"{ORDERS}{order.number}/refund/", {"reason": "damaged"}, format="json")
        sent = providers.form(rsps.calls[0])

    assert response.status_code == 200 and response.json()["status"] == "refunded"
    assert (sent["payment_intent"], sent["amount"]) == (f"pi_{order.number}", "2360")
    refund = Refund.objects.get()
    assert (refund.status, refund.provider_ref, refund.actor, refund.reason) == (
        "succeeded", "re_order", staff.user, "damaged",
    )  # fmt: skip


def test_a_refused_stripe_refund_leaves_the_order_paid(client_for, api_client, staff):
    customer = client_for()
    order, _ = _order(customer)
    _pay_through_stripe(customer, api_client, order)

    with responses.RequestsMock() as rsps:
        providers.stripe_refund_error(rsps, message="Charge already disputed.")
        response = staff.post(f"{ORDERS}{order.number}/refund/", {}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "refund_failed"
    assert "disputed" in response.json()["detail"] and Order.objects.get(pk=order.pk).status == "paid"
    refund = Refund.objects.get()
    assert refund.status == "failed" and "disputed" in refund.error
    assert Payment.objects.get().amount_refunded == 0


def test_refunds_are_store_staff_only(client_for):
    customer = client_for()
    order, _ = _order(customer)
    assert customer.post(f"{ORDERS}{order.number}/refund/", {}, format="json").status_code == 403


def test_razorpay_order_payment_confirmed_by_checkout_pays_the_order(client_for):
    customer = client_for()
    order, product = _order(customer)

    with responses.RequestsMock() as rsps:
        providers.razorpay_order(rsps, order_id="order_RZ1", amount=2360)
        started = customer.post(f"{ORDERS}{order.number}/payment/", {"provider": "razorpay"}, format="json")
    assert started.status_code == 201, started.json()
    checkout = started.json()["checkout"]
    assert checkout == {"key": providers.RAZORPAY_KEY_ID, "order_id": "order_RZ1", "amount": 2360, "currency": "INR"}

    # What Razorpay Checkout hands the browser after the customer paid.
    answer = {
        "razorpay_order_id": "order_RZ1",
        "razorpay_payment_id": "pay_RZ1",
        "razorpay_signature": providers.razorpay_checkout_signature("order_RZ1", "pay_RZ1"),
    }
    confirmed = customer.post("/api/v1/payments/razorpay/confirm/", answer, format="json")

    assert confirmed.status_code == 200 and confirmed.json()["reference"] == order.number
    order.refresh_from_db()
    assert order.status == "paid"
    assert StockLevel.objects.get(product=product).reserved == 0
    assert Notification.objects.filter(user=order.user, kind="order.paid").count() == 1
