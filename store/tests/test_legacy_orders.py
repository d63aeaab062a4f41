"""The earlier store front's checkout and orders (§5.3 #9-#10): the whole guest and signed-in flows through
the legacy paths only, owners only (another user's order is 404), the status table, payments, hostile input."""

from __future__ import annotations

from decimal import Decimal

import pytest
import responses

from makrx.models import IdempotencyKey
from makrx.payments.models import Payment
from makrx.tests import payment_providers as providers
from store.api.legacy.serializers.orders import ORDER_STATUSES
from store.models import Cart, Order
from store.tests.factories import CouponFactory, OrderFactory, OrderLineFactory, ProductFactory
from store.tests.legacy_contract import (
    CHECKOUT,
    LEGACY_STATUSES,
    ORDER,
    ORDER_LIST,
    PRODUCT,
    PRODUCT_PAGE,
    assert_shape,
    checkout_body,
    new_session_id,
    seed_store,
)
from store.tests.test_legacy_cart import Browser

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.DEFAULT_TAX_RATE = Decimal("18")
    settings.RATELIMIT_ENABLE = False
    settings.STRIPE_API_KEY = ""
    settings.RAZORPAY_KEY_ID = settings.RAZORPAY_KEY_SECRET = ""


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert {"detail", "code", "request_id"} <= set(body)
    if code:
        assert body["code"] == code
    return body


def _shop(browser: Browser) -> tuple[dict, int]:
    """Browse, search, read a product two ways, add two, update, remove one: the legacy paths only."""
    listing = browser.get("/api/products", {"skip": 0, "limit": 20})
    assert listing.status_code == 200 and assert_shape(listing.json(), PRODUCT_PAGE) is None
    found = browser.get("/api/products", {"search": "AMS1117"}).json()["products"][0]
    by_slug = browser.get(f"/api/products/slug/{found['slug']}").json()
    by_id = browser.get(f"/api/products/{found['id']}").json()
    assert by_slug == by_id and assert_shape(by_id, PRODUCT) is None
    other = next(p for p in listing.json()["products"] if p["id"] != found["id"] and p["stock_qty"] > 3)
    third = next(p for p in listing.json()["products"] if p["id"] not in (found["id"], other["id"]) and p["in_stock"])
    for product, quantity in ((found, 1), (other, 1), (third, 1)):
        assert browser.post("/api/cart/add", {"product_id": product["id"], "quantity": quantity}).status_code == 200
    items = {line["product"]["id"]: line["id"] for line in browser.get("/api/cart").json()["items"]}
    assert browser.put(f"/api/cart/item/{items[other['id']]}", {"quantity": 3}).status_code == 200
    assert browser.delete(f"/api/cart/item/{items[third['id']]}").status_code == 200
    cart = browser.get("/api/cart").json()
    assert {line["product"]["id"]: line["quantity"] for line in cart["items"]} == {found["id"]: 1, other["id"]: 3}
    return cart, found["id"]


def _checkout_and_read(browser: Browser, cart: dict) -> dict:
    response = browser.post("/api/orders/checkout", checkout_body(), HTTP_IDEMPOTENCY_KEY="checkout-1")
    assert response.status_code == 201, response.json()
    placed = response.json()
    assert_shape(placed, CHECKOUT)
    assert placed["total"] == cart["summary"]["total_amount"] and placed["payment_intent"] is None
    assert browser.get("/api/cart").json()["items"] == []

    order = browser.get(f"/api/orders/{placed['order_id']}")
    assert order.status_code == 200
    body = order.json()
    assert_shape(body, ORDER)
    assert (body["id"], body["order_number"], body["status"], body["payment_status"]) == (
        placed["order_id"],
        placed["order_number"],
        "pending",
        "pending",
    )
    assert body["total"] == placed["total"] and body["addresses"]["shipping"]["city"] == "Pune"
    assert sorted((line["product_id"], line["quantity"]) for line in body["items"]) == sorted(
        (line["product"]["id"], line["quantity"]) for line in cart["items"]
    )
    listing = browser.get("/api/orders", {"page": 1, "per_page": 10}).json()
    assert_shape(listing, ORDER_LIST)
    assert [o["id"] for o in listing["orders"]] == [placed["order_id"]] and listing["total"] == 1
    return body


def test_the_whole_guest_flow_through_the_legacy_paths(api_client):
    seed_store()
    guest = Browser(api_client)

    cart, _ = _shop(guest)
    order = _checkout_and_read(guest, cart)

    placed = Order.objects.get(pk=order["id"])
    assert placed.user is None and placed.email == "asha@example.test"
    assert placed.cart.session_key_hash is not None
    # Stock is reserved by the v1 checkout: the legacy product shows it.
    line = placed.lines.get(quantity=3)
    assert api_client.get(f"/api/products/{line.product_id}").json()["stock_qty"] == line.product.stock.available


def test_the_whole_signed_in_flow_with_merge_at_sign_in(api_client, client_for):
    seed_store()
    session = new_session_id()
    cart, product_id = _shop(Browser(api_client, session))  # shopped as a guest
    user_client = client_for()
    signed_in = Browser(user_client, session)

    merged = signed_in.get("/api/cart").json()  # signing in: the guest cart is merged

    assert merged["cart"]["user_id"] == user_client.user.pk
    assert {(line["product"]["id"], line["quantity"]) for line in merged["items"]} == {
        (line["product"]["id"], line["quantity"]) for line in cart["items"]
    }
    assert Cart.objects.get(user__isnull=True).merged_into.user == user_client.user
    order = _checkout_and_read(signed_in, merged)
    assert Order.objects.get(pk=order["id"]).user == user_client.user
    # The browser signed out again: the guest sees no orders of the user.
    assert Browser(api_client, session).get("/api/orders").json()["orders"] == []


def test_another_users_order_is_404(client_for):
    owner, other, staff = client_for(), client_for(), client_for(roles=["store_admin"])
    order = OrderFactory(user=owner.user)

    assert owner.get(f"/api/orders/{order.pk}").status_code == 200
    _error(other.get(f"/api/orders/{order.pk}"), 404, "order_not_found")
    _error(staff.get(f"/api/orders/{order.pk}"), 404, "order_not_found")
    assert other.get("/api/orders").json()["orders"] == []


def test_a_guest_order_is_seen_only_with_its_session(api_client, client_for):
    guest = Browser(api_client)
    guest.post("/api/cart/add", {"product_id": ProductFactory().pk})
    order_id = guest.post("/api/orders/checkout", checkout_body()).json()["order_id"]

    assert guest.get(f"/api/orders/{order_id}").status_code == 200
    _error(Browser(api_client).get(f"/api/orders/{order_id}"), 404, "order_not_found")
    _error(client_for().get(f"/api/orders/{order_id}"), 404)
    assert Browser(api_client).get("/api/orders").json()["total"] == 0
    _error(api_client.get(f"/api/orders/{order_id}"), 401)
    _error(api_client.get("/api/orders"), 401)


@pytest.mark.parametrize(("v1_status", "expected"), list(ORDER_STATUSES.items()))
def test_v1_statuses_map_through_the_one_table(client_for, v1_status, expected):
    client = client_for()
    order = OrderFactory(user=client.user, status=v1_status)
    OrderLineFactory(order=order)

    body = client.get(f"/api/orders/{order.pk}").json()

    assert (body["status"], body["payment_status"]) == expected
    assert body["status"] in LEGACY_STATUSES


def test_every_v1_status_has_a_row():
    assert set(ORDER_STATUSES) == set(Order.Status.values)


def test_a_fulfilled_order_is_shipped_with_its_date(client_for):
    from store.services import SYSTEM
    from store.services.orders import order_fulfil, order_mark_paid

    client = client_for()
    guest = Browser(client)
    guest.post("/api/cart/add", {"product_id": ProductFactory().pk})
    order = Order.objects.get(pk=guest.post("/api/orders/checkout", checkout_body()).json()["order_id"])
    order_mark_paid(order=order, actor=SYSTEM)
    assert client.get(f"/api/orders/{order.pk}").json()["status"] == "processing"
    order_fulfil(order=Order.objects.get(pk=order.pk), actor=SYSTEM)

    body = client.get(f"/api/orders/{order.pk}").json()
    assert (body["status"], body["payment_status"]) == ("shipped", "paid") and body["shipped_at"]


def test_checkout_totals_agree_with_the_v1_order(client_for):
    client = client_for()
    for price, quantity in (("19.99", 3), ("0.45", 11)):
        Browser(client).post(
            "/api/cart/add", {"product_id": ProductFactory(price=Decimal(price)).pk, "quantity": quantity}
        )

    placed = Browser(client).post("/api/orders/checkout", checkout_body()).json()
    legacy = client.get(f"/api/orders/{placed['order_id']}").json()
    v1 = client.get(f"/api/v1/store/orders/{placed['order_number']}/").json()

    assert (legacy["subtotal"], legacy["tax_amount"], legacy["total"]) == (v1["subtotal"], v1["tax"], v1["total"])
    assert placed["total"] == v1["total"] and placed["currency"] == v1["currency"]
    assert [(line["unit_price"], line["total_price"]) for line in legacy["items"]] == [
        (line["unit_price"], line["line_total"]) for line in v1["lines"]
    ]


def test_a_retried_checkout_answers_the_first_result(api_client):
    guest = Browser(api_client)
    guest.post("/api/cart/add", {"product_id": ProductFactory().pk})

    first = guest.post("/api/orders/checkout", checkout_body(), HTTP_IDEMPOTENCY_KEY="k-1")
    again = guest.post("/api/orders/checkout", checkout_body(), HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Order.objects.count() == 1
    # The idempotency record names the session by its hash, never the id itself.
    assert guest.session_id not in IdempotencyKey.objects.get().owner


def test_stripe_configured_answers_the_client_secret(api_client, settings):
    settings.STRIPE_API_KEY = "sk_test_dummy"
    guest = Browser(api_client)
    guest.post("/api/cart/add", {"product_id": ProductFactory(price=Decimal("10.00")).pk, "quantity": 2})
    with responses.RequestsMock() as rsps:
        providers.stripe_intent(rsps, intent_id="pi_9", amount=2360)
        placed = guest.post("/api/orders/checkout", checkout_body()).json()
        sent = providers.form(rsps.calls[0])

    assert placed["payment_intent"] == "pi_9_secret_YrKJUKribcBjcG8HVhfZluoGH"
    assert sent["amount"] == "2360"
    payment = Payment.objects.get()
    order_number = Order.objects.get(pk=placed["order_id"]).number
    assert (payment.reference, payment.provider_ref, payment.amount) == (order_number, "pi_9", Decimal("23.60"))


def test_a_failing_provider_leaves_the_order_payable_later(api_client, settings):
    settings.STRIPE_API_KEY = "sk_test_dummy"
    guest = Browser(api_client)
    guest.post("/api/cart/add", {"product_id": ProductFactory().pk})

    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, f"{providers.STRIPE_API}/payment_intents", body=ConnectionError("down"))
        response = guest.post("/api/orders/checkout", checkout_body())

    assert response.status_code == 201 and response.json()["payment_intent"] is None
    assert Order.objects.get().status == Order.Status.PENDING_PAYMENT and not Payment.objects.exists()


def test_razorpay_answers_the_razorpay_order_id(api_client, settings):
    providers.configure(settings)
    guest = Browser(api_client)
    guest.post("/api/cart/add", {"product_id": ProductFactory().pk})
    with responses.RequestsMock() as rsps:
        providers.razorpay_order(rsps, order_id="order_legacy1")
        placed = guest.post("/api/orders/checkout", checkout_body(payment_method="razorpay")).json()
    assert placed["payment_intent"] == "order_legacy1" and placed["payment_method"] == "razorpay"


def test_an_unknown_payment_method_is_400_and_nothing_is_ordered(api_client):
    guest = Browser(api_client)
    guest.post("/api/cart/add", {"product_id": ProductFactory().pk})
    for method in ("paypal", "", None, 3):
        body = _error(guest.post("/api/orders/checkout", checkout_body(payment_method=method)), 400)
        assert "payment_method" in body["errors"]
    assert not Order.objects.exists() and len(guest.get("/api/cart").json()["items"]) == 1


def test_a_coupon_code_is_priced_at_checkout_like_v1(api_client):
    guest = Browser(api_client)
    guest.post("/api/cart/add", {"product_id": ProductFactory(price=Decimal("200.00")).pk, "quantity": 1})
    CouponFactory(code="SAVE10", value=Decimal("10"))
    placed = guest.post("/api/orders/checkout", checkout_body(coupon_code="save10"))
    assert placed.status_code == 201, placed.json()
    order = Order.objects.get(pk=placed.json()["order_id"])
    assert order.discount == Decimal("20.00") and order.coupon_code == "SAVE10"
    shown = guest.get(f"/api/orders/{order.pk}").json()
    assert shown["discount_amount"] == "20.00" and shown["total"] == f"{order.total:.2f}"


def test_an_unknown_coupon_is_400_and_nothing_is_ordered(api_client):
    guest = Browser(api_client)
    guest.post("/api/cart/add", {"product_id": ProductFactory().pk})
    _error(guest.post("/api/orders/checkout", checkout_body(coupon_code="NOPE")), 400, "coupon_invalid")
    assert not Order.objects.exists() and len(guest.get("/api/cart").json()["items"]) == 1
    assert guest.post("/api/orders/checkout", checkout_body(coupon_code=None)).status_code == 201


def test_an_empty_cart_is_400(api_client):
    _error(Browser(api_client).post("/api/orders/checkout", checkout_body()), 400, "cart_empty")


def test_a_guest_needs_an_email(api_client):
    guest = Browser(api_client)
    guest.post("/api/cart/add", {"product_id": ProductFactory().pk})
    _error(guest.post("/api/orders/checkout", checkout_body(email="")), 400)
    address = {**checkout_body()["shipping_address"], "email": "in@address.test"}
    placed = guest.post("/api/orders/checkout", checkout_body(email="", shipping_address=address)).json()
    assert Order.objects.get(pk=placed["order_id"]).email == "in@address.test"


def test_out_of_stock_at_checkout_is_409(api_client):
    product = ProductFactory(stock=1)
    guest = Browser(api_client)
    guest.post("/api/cart/add", {"product_id": product.pk})
    product.stock.on_hand = 0
    product.stock.save()
    _error(guest.post("/api/orders/checkout", checkout_body()), 409, "out_of_stock")
    assert not Order.objects.exists()


def test_the_order_list_pages(client_for):
    client = client_for()
    orders = [OrderFactory(user=client.user) for _ in range(5)]

    page = client.get("/api/orders", {"page": 2, "per_page": 2}).json()
    past = client.get("/api/orders", {"page": 9, "per_page": 2}).json()

    assert (page["total"], page["page"], page["per_page"], page["pages"]) == (5, 2, 2, 3)
    newest_first = sorted(orders, key=lambda o: (o.created_at, o.pk), reverse=True)
    assert [o["id"] for o in page["orders"]] == [o.pk for o in newest_first[2:4]]
    assert past["orders"] == [] and past["total"] == 5


def test_the_order_list_costs_the_same_for_1_or_100(client_for, django_assert_num_queries):
    client = client_for()
    for _ in range(100):
        OrderLineFactory(order=OrderFactory(user=client.user))
    # Count, the page of orders, their lines.
    with django_assert_num_queries(3):
        assert len(client.get("/api/orders", {"per_page": 1}).json()["orders"]) == 1
    with django_assert_num_queries(3):
        assert len(client.get("/api/orders", {"per_page": 100}).json()["orders"]) == 100


# --- hostile input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"page": 0},
        {"page": -1},
        {"page": "x"},
        {"page": 10**12},
        {"per_page": 0},
        {"per_page": 1000},
        {"per_page": "a"},
    ],
)
def test_bad_order_list_parameters_are_400(client_for, query):
    _error(client_for().get("/api/orders", query), 400)


@pytest.mark.parametrize(
    "overrides",
    [
        {"shipping_address": None},
        {"shipping_address": "12 MG Road"},
        {"shipping_address": {"name": "A"}},
        {"billing_address": {"city": "Pune"}},
        {"notes": "x" * 2001},
        {"email": "not-an-email"},
        {"shipping_method": "x" * 51},
        {"coupon_code": ["SAVE"]},
    ],
)
def test_bad_checkout_bodies_are_400_and_change_nothing(api_client, overrides):
    guest = Browser(api_client)
    guest.post("/api/cart/add", {"product_id": ProductFactory().pk})
    body = checkout_body(**overrides)
    if overrides.get("shipping_address", 0) is None:
        body.pop("shipping_address")
    _error(guest.post("/api/orders/checkout", body), 400)
    assert not Order.objects.exists()


def test_unparseable_checkout_json_is_400(api_client):
    guest = Browser(api_client)
    response = api_client.generic(
        "POST", "/api/orders/checkout", "{not json", content_type="application/json", HTTP_X_SESSION_ID=guest.session_id
    )
    _error(response, 400)


@pytest.mark.parametrize("junk", ["short", "x" * 200, "semi;colon-session-id-123"])
def test_junk_session_ids_are_400_on_orders_and_checkout(api_client, junk):
    for response in (
        api_client.get("/api/orders", HTTP_X_SESSION_ID=junk),
        api_client.get("/api/orders/1", HTTP_X_SESSION_ID=junk),
        api_client.post("/api/orders/checkout", checkout_body(), format="json", HTTP_X_SESSION_ID=junk),
    ):
        _error(response, 400, "invalid_session_id")
    assert not Cart.objects.exists()


def test_a_guest_without_a_session_cannot_check_out(api_client):
    _error(api_client.post("/api/orders/checkout", checkout_body(), format="json"), 400, "session_id_required")


def test_a_huge_order_id_is_404(client_for):
    _error(client_for().get("/api/orders/99999999999999999999999"), 404)


def test_without_a_billing_address_the_shipping_address_bills(api_client):
    guest = Browser(api_client)
    guest.post("/api/cart/add", {"product_id": ProductFactory().pk})
    body = checkout_body(shipping_method="express")
    body.pop("billing_address")

    order = guest.get(f"/api/orders/{guest.post('/api/orders/checkout', body).json()['order_id']}").json()

    assert order["addresses"]["billing"]["line1"] == order["addresses"]["shipping"]["line1"] == "12 MG Road"
    assert order["addresses"]["shipping"]["shipping_method"] == "express"
