"""Checkout: one transaction, stock reserved, prices copied, idempotent retries, out-of-stock refusals."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from store.models import Cart, CartItem, Order, StockLevel, StockMovement
from store.tests.factories import CartFactory, CartItemFactory, ProductFactory

pytestmark = pytest.mark.django_db

CHECKOUT = "/api/v1/store/checkout/"


def _cart_for(client, *lines):
    cart = CartFactory(user=client.user)
    for product, quantity in lines:
        CartItemFactory(cart=cart, product=product, quantity=quantity)
    return cart


def test_checkout_creates_a_numbered_order_reserves_stock_and_empties_the_cart(client_for, settings):
    settings.DEFAULT_TAX_RATE = Decimal("18")
    client = client_for()
    first = ProductFactory(price=Decimal("12.50"), stock=10)
    second = ProductFactory(price=Decimal("3.00"), stock=2)
    cart = _cart_for(client, (first, 2), (second, 2))

    response = client.post(CHECKOUT, {"shipping_address": {"city": "Pune"}, "total": "0.01"}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert re.fullmatch(r"MX-\d{4}-\d{6,}", body["number"])
    assert body["status"] == "pending_payment"
    assert (body["subtotal"], body["tax"], body["total"]) == ("31.00", "5.58", "36.58")
    assert [line["unit_price"] for line in body["lines"]] == ["12.50", "3.00"]
    assert body["events"][0]["kind"] == "created"
    assert StockLevel.objects.get(product=first).reserved == 2
    assert StockLevel.objects.get(product=second).reserved == 2
    assert StockMovement.objects.filter(kind="reserve").count() == 2
    assert not CartItem.objects.filter(cart=cart).exists()
    order = Order.objects.get(number=body["number"])
    assert order.user == client.user and order.expires_at is not None


def test_prices_are_copied_at_purchase_time(client_for):
    client = client_for()
    product = ProductFactory(price=Decimal("5.00"))
    _cart_for(client, (product, 1))
    number = client.post(CHECKOUT, {}, format="json").json()["number"]

    product.price = Decimal("50.00")
    product.save()

    assert client.get(f"/api/v1/store/orders/{number}/").json()["lines"][0]["unit_price"] == "5.00"


def test_out_of_stock_names_the_skus_and_changes_nothing(client_for):
    client = client_for()
    fine = ProductFactory(stock=5)
    short = ProductFactory(stock=3, reserved=2)
    _cart_for(client, (fine, 1), (short, 2))

    response = client.post(CHECKOUT, {}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "out_of_stock"
    assert short.sku in body["detail"] and list(body["errors"]) == [short.sku]
    assert Order.objects.count() == 0
    assert StockLevel.objects.get(product=fine).reserved == 0
    assert CartItem.objects.count() == 2


def test_empty_cart_is_400(client_for, api_client):
    response = client_for().post(CHECKOUT, {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "cart_empty"
    response = api_client.post(CHECKOUT, {"email": "a@example.test"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "cart_empty"


def test_guest_checkout_needs_an_email_and_sees_its_order_with_the_token(api_client):
    product = ProductFactory(stock=3)
    cart = CartFactory(user=None)
    CartItemFactory(cart=cart, product=product, quantity=1)

    missing = api_client.post(CHECKOUT, {}, format="json", HTTP_X_CART_TOKEN=cart.token)
    assert missing.status_code == 400
    response = api_client.post(CHECKOUT, {"email": "guest@example.test"}, format="json", HTTP_X_CART_TOKEN=cart.token)

    assert response.status_code == 201
    number = response.json()["number"]
    assert api_client.get(f"/api/v1/store/orders/{number}/", HTTP_X_CART_TOKEN=cart.token).status_code == 200
    assert api_client.get(f"/api/v1/store/orders/{number}/", HTTP_X_CART_TOKEN="other").status_code == 404
    assert api_client.get(f"/api/v1/store/orders/{number}/").status_code == 401


def test_same_idempotency_key_returns_the_same_order(client_for):
    client = client_for()
    product = ProductFactory(stock=10)
    _cart_for(client, (product, 2))

    first = client.post(CHECKOUT, {"notes": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    CartItemFactory(cart=Cart.objects.get(user=client.user), product=product, quantity=1)
    second = client.post(CHECKOUT, {"notes": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == second.status_code == 201
    assert first.json()["number"] == second.json()["number"]
    assert second["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    assert StockLevel.objects.get(product=product).reserved == 2


def test_same_key_with_a_different_body_is_409(client_for):
    client = client_for()
    _cart_for(client, (ProductFactory(), 1))
    client.post(CHECKOUT, {"notes": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    response = client.post(CHECKOUT, {"notes": "y"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_idempotency_keys_are_per_user(client_for):
    alice, bob = client_for(), client_for()
    _cart_for(alice, (ProductFactory(), 1))
    _cart_for(bob, (ProductFactory(), 1))

    a = alice.post(CHECKOUT, {}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    b = bob.post(CHECKOUT, {}, format="json", HTTP_IDEMPOTENCY_KEY="same")

    assert a.json()["number"] != b.json()["number"]


def test_bad_body_types_are_400(client_for):
    client = client_for()
    _cart_for(client, (ProductFactory(), 1))

    assert client.post(CHECKOUT, {"shipping_address": "nope"}, format="json").status_code == 400
    assert client.post(CHECKOUT, data="[1,2", content_type="application/json").status_code == 400
    assert Order.objects.count() == 0


def test_inactive_product_in_cart_is_refused(client_for):
    client = client_for()
    product = ProductFactory(stock=5)
    _cart_for(client, (product, 1))
    product.active = False
    product.save()

    response = client.post(CHECKOUT, {}, format="json")

    assert response.status_code == 409 and product.sku in response.json()["errors"]


def test_checkout_counts_the_order_and_invalidates_the_catalog_after_commit(
    client_for, django_capture_on_commit_callbacks
):
    from makrx import metrics
    from store.catalog_cache import catalog_version

    client = client_for()
    _cart_for(client, (ProductFactory(stock=3), 1))
    created_before = metrics.ORDERS.labels("created")._value.get()
    version_before = catalog_version()

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(CHECKOUT, {}, format="json").status_code == 201

    assert metrics.ORDERS.labels("created")._value.get() == created_before + 1
    assert catalog_version() != version_before


def test_hostile_address_strings_are_400_not_500(client_for):
    client = client_for()
    _cart_for(client, (ProductFactory(stock=3), 1))

    response = client.post(CHECKOUT, {"shipping_address": {"line1": "a\x00b"}}, format="json")

    assert response.status_code == 400
    assert Order.objects.count() == 0


def test_release_task_is_scheduled(settings):
    from store.tasks import release_expired_orders_task

    entry = settings.CELERY_BEAT_SCHEDULE["store-release-expired-orders"]
    assert entry["task"] == release_expired_orders_task.name


def test_signed_in_checkout_with_a_cart_token_merges_first(client_for):
    client = client_for()
    product = ProductFactory(stock=5)
    anonymous = CartFactory(user=None)
    CartItemFactory(cart=anonymous, product=product, quantity=2)

    response = client.post(CHECKOUT, {}, format="json", HTTP_X_CART_TOKEN=anonymous.token)

    assert response.status_code == 201
    assert response.json()["lines"][0]["quantity"] == 2
    assert Cart.objects.get(pk=anonymous.pk).merged_into == Cart.objects.get(user=client.user)
