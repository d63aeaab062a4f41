"""Commerce admin: screens render, actions go through the order services."""

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
