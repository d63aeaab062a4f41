"""Commerce admin: screens render, actions go through the order services."""

from decimal import Decimal

import pytest
from django.test import Client

from makrx.admin import payments as payment_admin
from makrx.payments.models import WebhookEvent
from store.admin import cart as cart_admin
from store.admin import orders as order_admin
from store.models import Cart, Order, StockLevel
from store.services import SYSTEM
from store.services.orders import order_mark_paid
from store.tests.factories import (
    CartFactory,
    CartItemFactory,
    OrderFactory,
    OrderLineFactory,
    PaymentFactory,
    ProductFactory,
    WebhookEventFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user):
    client = Client()
    client.force_login(make_user("boss", roles=["super_admin"]))
    return client


def test_our_screens_replace_the_fallbacks():
    from django.contrib import admin

    assert isinstance(admin.site._registry[Order], order_admin.OrderAdmin)
    assert isinstance(admin.site._registry[Cart], cart_admin.CartAdmin)
    assert isinstance(admin.site._registry[WebhookEvent], payment_admin.WebhookEventAdmin)


def test_screens_render(admin_client):
    order = OrderFactory()
    OrderLineFactory(order=order)
    payment = PaymentFactory(order=order)
    cart = CartFactory()
    CartItemFactory(cart=cart)
    event = WebhookEventFactory(payment=payment)
    for url in [
        "/admin/store/order/",
        "/admin/store/order/?status__exact=paid&q=MX",
        f"/admin/store/order/?q={order.lines.first().sku}",
        f"/admin/store/order/{order.pk}/change/",
        "/admin/store/cart/",
        "/admin/store/cart/?user__isempty=1",
        f"/admin/store/cart/{cart.pk}/change/",
        "/admin/makrx/payment/",
        f"/admin/makrx/payment/{payment.pk}/change/",
        "/admin/makrx/refund/",
        "/admin/makrx/webhookevent/?result__exact=processed",
        f"/admin/makrx/webhookevent/{event.pk}/change/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_actions_use_the_services(admin_client):
    product = ProductFactory(stock=5, reserved=2)
    pending = OrderFactory()
    OrderLineFactory(order=pending, product=product, quantity=2)
    paid = OrderFactory()
    OrderLineFactory(order=paid, product=product, quantity=1)
    StockLevel.objects.filter(product=product).update(reserved=3)
    order_mark_paid(actor=SYSTEM, order=paid)

    admin_client.post(
        "/admin/store/order/", {"action": "fulfil", "_selected_action": [pending.pk, paid.pk]}, follow=True
    )
    admin_client.post("/admin/store/order/", {"action": "cancel", "_selected_action": [pending.pk]}, follow=True)

    assert Order.objects.get(pk=paid.pk).status == "fulfilled"
    assert Order.objects.get(pk=pending.pk).status == "cancelled"
    level = StockLevel.objects.get(product=product)
    assert (level.on_hand, level.reserved) == (4, 0)

    admin_client.post("/admin/store/order/", {"action": "refund", "_selected_action": [paid.pk]}, follow=True)
    assert Order.objects.get(pk=paid.pk).status == "refunded"


def test_mark_paid_offline_and_refund_actions_ask_then_call_the_payment_services(admin_client):
    from makrx.payments.models import Payment, Refund

    product = ProductFactory(stock=5, reserved=2)
    order = OrderFactory(total="23.60")
    OrderLineFactory(order=order, product=product, quantity=2)

    form = admin_client.post("/admin/store/order/", {"action": "mark_paid_offline", "_selected_action": [order.pk]})
    assert form.status_code == 200 and b'name="method"' in form.content  # the intermediate page
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    admin_client.post(
        "/admin/store/order/",
        {"action": "mark_paid_offline", "_selected_action": [order.pk], "apply": "1", "method": "bank_transfer",
         "reference": "NEFT-42"},
        follow=True,
    )  # fmt: skip
    assert Order.objects.get(pk=order.pk).status == "paid"
    payment = Payment.objects.get(reference=order.number)
    assert (payment.provider, payment.offline_reference, payment.actor.username) == ("bank_transfer", "NEFT-42", "boss")
    page = admin_client.get(f"/admin/store/order/{order.pk}/change/")
    assert f"/admin/makrx/payment/{payment.pk}/change/".encode() in page.content

    admin_client.post(
        "/admin/store/order/",
        {"action": "refund_money", "_selected_action": [order.pk], "apply": "1", "amount": "3.60", "reason": "late"},
        follow=True,
    )
    assert Refund.objects.get().amount == Decimal("3.60") and Order.objects.get(pk=order.pk).status == "paid"
    admin_client.post(
        "/admin/store/order/",
        {"action": "refund_money", "_selected_action": [order.pk], "apply": "1", "reason": "returned"},
        follow=True,
    )
    assert Order.objects.get(pk=order.pk).status == "refunded"
