"""Orders: who sees what, the state machine, stock effects, the release of unpaid orders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from makrx.errors import InvalidTransition
from store.models import Cart, Order, OrderEvent, StockLevel
from store.services import SYSTEM
from store.services.orders import order_mark_paid, order_transition, orders_release_expired
from store.tasks import release_expired_orders_task
from store.tests.factories import CartFactory, CartItemFactory, OrderFactory, OrderLineFactory, ProductFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/store/orders/"


def _checkout(client, product, quantity=1):
    cart = Cart.objects.filter(user=client.user).first() or CartFactory(user=client.user)
    CartItemFactory(cart=cart, product=product, quantity=quantity)
    response = client.post("/api/v1/store/checkout/", {}, format="json")
    assert response.status_code == 201, response.json()
    return Order.objects.get(number=response.json()["number"])


def _stock(product):
    level = StockLevel.objects.get(product=product)
    return level.on_hand, level.reserved


def test_customers_see_their_orders_staff_see_all(client_for, api_client):
    alice, bob, staff = client_for(), client_for(), client_for(roles=["store_admin"])
    mine = OrderFactory(user=alice.user)
    OrderFactory(user=bob.user)

    assert [o["number"] for o in alice.get(ORDERS).json()["results"]] == [mine.number]
    assert staff.get(ORDERS).json()["count"] == 2
    assert alice.get(f"{ORDERS}{OrderFactory(user=bob.user).number}/").status_code == 404
    assert api_client.get(ORDERS).status_code == 401


def test_list_filters_by_status_and_date(client_for):
    staff = client_for(roles=["admin"])
    paid = OrderFactory(status=Order.Status.PAID)
    OrderFactory()
    old = OrderFactory()
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    today = timezone.now().date().isoformat()

    assert [o["number"] for o in staff.get(ORDERS, {"status": "paid"}).json()["results"]] == [paid.number]
    assert staff.get(ORDERS, {"created_from": today}).json()["count"] == 2
    assert staff.get(ORDERS, {"created_to": (timezone.now() - timedelta(days=5)).date()}).json()["count"] == 1
    assert staff.get(ORDERS, {"status": "lost"}).status_code == 400
    assert staff.get(ORDERS, {"created_from": "yesterday"}).status_code == 400


def test_list_search_and_bad_filters_answer_in_the_error_format(client_for, api_client):
    staff = client_for(roles=["admin"])
    wanted = OrderFactory(email="findme@example.test")
    OrderFactory(email="other@example.test")

    assert [o["number"] for o in staff.get(ORDERS, {"search": "findme"}).json()["results"]] == [wanted.number]
    assert [o["number"] for o in staff.get(ORDERS, {"search": wanted.number[-6:]}).json()["results"]] == [wanted.number]
    response = staff.get(ORDERS, {"search": "x" * 65, "status": "lost"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["errors"]) == {"search", "status"}
    params = {
        p["name"] for p in api_client.get("/api/schema/").json()["paths"]["/api/v1/store/orders/"]["get"]["parameters"]
    }
    assert {"status", "created_from", "created_to", "search", "page", "page_size"} <= params


def test_order_list_query_count_is_fixed(client_for, django_assert_max_num_queries):
    staff = client_for(roles=["store_admin"])
    for _ in range(30):
        OrderLineFactory(order=OrderFactory())
    staff.get(ORDERS, {"page_size": 1})  # warm up (session, content types)

    with django_assert_max_num_queries(5) as one:
        assert len(staff.get(ORDERS, {"page_size": 1}).json()["results"]) == 1
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(staff.get(ORDERS, {"page_size": 100}).json()["results"]) == 30


def test_customer_cancels_unpaid_order_and_stock_is_released(client_for):
    client = client_for()
    product = ProductFactory(stock=5)
    order = _checkout(client, product, 2)
    assert _stock(product) == (5, 2)

    response = client.post(f"{ORDERS}{order.number}/cancel/", {}, format="json")

    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert _stock(product) == (5, 0)
    again = client.post(f"{ORDERS}{order.number}/cancel/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert _stock(product) == (5, 0)


def test_customer_cannot_cancel_a_paid_order_but_staff_can(client_for):
    client, staff = client_for(), client_for(roles=["store_admin"])
    product = ProductFactory(stock=5)
    order = _checkout(client, product, 2)
    order_mark_paid(actor=SYSTEM, order=order)
    assert _stock(product) == (3, 0)

    refused = client.post(f"{ORDERS}{order.number}/cancel/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_transition"
    done = staff.post(f"{ORDERS}{order.number}/cancel/", {"note": "customer called"}, format="json")

    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    assert _stock(product) == (5, 0)


def test_other_customers_cannot_cancel(client_for):
    owner, other = client_for(), client_for()
    order = _checkout(owner, ProductFactory())

    assert other.post(f"{ORDERS}{order.number}/cancel/", {}, format="json").status_code == 404
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


def test_fulfil_and_refund(client_for):
    client, staff = client_for(), client_for(roles=["store_admin"])
    shipped_product, returned_product = ProductFactory(stock=5), ProductFactory(stock=5)
    shipped = _checkout(client, shipped_product, 1)
    returned = _checkout(client, returned_product, 1)

    not_paid = staff.post(f"{ORDERS}{shipped.number}/fulfil/", {}, format="json")
    assert not_paid.status_code == 409 and not_paid.json()["code"] == "invalid_transition"
    order_mark_paid(actor=SYSTEM, order=shipped)
    order_mark_paid(actor=SYSTEM, order=returned)
    assert staff.post(f"{ORDERS}{shipped.number}/fulfil/", {}, format="json").json()["status"] == "fulfilled"
    assert client.post(f"{ORDERS}{shipped.number}/fulfil/", {}, format="json").status_code == 403

    assert staff.post(f"{ORDERS}{shipped.number}/refund/", {}, format="json").json()["status"] == "refunded"
    assert _stock(shipped_product) == (4, 0)  # shipped: it stays with the customer
    assert staff.post(f"{ORDERS}{returned.number}/refund/", {}, format="json").json()["status"] == "refunded"
    assert _stock(returned_product) == (5, 0)  # never shipped: back on the shelf
    again = staff.post(f"{ORDERS}{returned.number}/refund/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


@pytest.mark.parametrize(
    "start, target",
    [
        ("pending_payment", "fulfilled"),
        ("pending_payment", "refunded"),
        ("paid", "pending_payment"),
        ("fulfilled", "cancelled"),
        ("fulfilled", "paid"),
        ("cancelled", "paid"),
        ("cancelled", "pending_payment"),
        ("refunded", "paid"),
        ("refunded", "cancelled"),
    ],
)
def test_illegal_moves_are_refused(start, target):
    order = OrderFactory(status=start)

    with pytest.raises(InvalidTransition):
        order_transition(order=order, to_status=target)
    assert Order.objects.get(pk=order.pk).status == start


def test_mark_paid_is_once_and_takes_stock_for_good(client_for):
    client = client_for()
    product = ProductFactory(stock=5)
    order = _checkout(client, product, 2)

    _, first = order_mark_paid(actor=SYSTEM, order=order)
    _, second = order_mark_paid(actor=SYSTEM, order=order)

    assert (first, second) == (True, False)
    assert _stock(product) == (3, 0)
    assert OrderEvent.objects.filter(order=order, to_status="paid").count() == 1


def test_expired_unpaid_orders_release_their_stock(client_for, settings):
    client = client_for()
    product = ProductFactory(stock=5)
    expired = _checkout(client, product, 2)
    fresh = _checkout(client, product, 1)
    Order.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert release_expired_orders_task.delay().get() == 1
    assert orders_release_expired() == 0  # idempotent

    assert Order.objects.get(pk=expired.pk).status == "cancelled"
    assert Order.objects.get(pk=fresh.pk).status == "pending_payment"
    assert _stock(product) == (5, 1)
    assert OrderEvent.objects.filter(order=expired, kind="expired").count() == 1


def test_checkout_sets_the_payment_deadline(client_for, settings):
    settings.STORE_ORDER_PAYMENT_TIMEOUT_MINUTES = 45
    order = _checkout(client_for(), ProductFactory())

    assert timedelta(minutes=44) < order.expires_at - timezone.now() <= timedelta(minutes=45)


def test_unknown_order_is_404(client_for):
    response = client_for().get(f"{ORDERS}MX-0000-000000/")

    assert response.status_code == 404 and response.json()["code"] == "order_not_found"
