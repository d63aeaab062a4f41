"""Cart API: anonymous token carts, signed-in carts, stock checks, catalog prices, merge at sign-in."""

from __future__ import annotations

from decimal import Decimal

import pytest

from store.models import Cart, CartItem
from store.tests.factories import CartFactory, CartItemFactory, ProductFactory

pytestmark = pytest.mark.django_db

CART = "/api/v1/store/cart/"
ITEMS = "/api/v1/store/cart/items/"


def test_first_anonymous_call_creates_a_cart_and_returns_its_token(api_client):
    response = api_client.get(CART)

    assert response.status_code == 200
    token = response["X-Cart-Token"]
    assert response.json()["token"] == token
    assert Cart.objects.get(token=token).user is None
    again = api_client.get(CART, HTTP_X_CART_TOKEN=token)
    assert again.json()["id"] == response.json()["id"]


def test_anonymous_add_by_sku_and_totals_with_tax_on_top(api_client, settings):
    settings.DEFAULT_TAX_RATE = Decimal("18")
    product = ProductFactory(price=Decimal("99.99"), stock=5)

    response = api_client.post(ITEMS, {"sku": product.sku.lower(), "quantity": 3}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["items"][0]["sku"] == product.sku
    assert body["subtotal"] == "299.97"
    assert body["tax"] == "53.99"
    assert body["total"] == "353.96"
    assert body["item_count"] == 3
    assert response["X-Cart-Token"] == body["token"]


def test_client_price_is_ignored(client_for):
    client = client_for()
    product = ProductFactory(price=Decimal("10.00"))

    response = client.post(
        ITEMS, {"product": product.pk, "quantity": 1, "unit_price": "0.01", "price": "0"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["items"][0]["unit_price"] == "10.00"
    assert response.json()["subtotal"] == "10.00"


def test_adding_twice_sums_and_beyond_stock_is_out_of_stock(client_for):
    client = client_for()
    product = ProductFactory(stock=5, reserved=2)

    assert client.post(ITEMS, {"product": product.pk, "quantity": 2}, format="json").status_code == 201
    response = client.post(ITEMS, {"product": product.pk, "quantity": 2}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "out_of_stock"
    assert CartItem.objects.get(product=product).quantity == 2


@pytest.mark.parametrize(
    "payload, status, code",
    [
        ({"product": 999999, "quantity": 1}, 404, "product_not_found"),
        ({"sku": "NOPE", "quantity": 1}, 404, "product_not_found"),
        ({"quantity": 1}, 400, "validation_error"),
        ({"product": "abc"}, 400, "validation_error"),
        ({"product": 1, "sku": "X"}, 400, "validation_error"),
        ({"sku": "X\x00Y", "quantity": 1}, 400, "validation_error"),
        ({"product": 1, "quantity": 0}, 400, "validation_error"),
        ({"product": 1, "quantity": -3}, 400, "validation_error"),
        ({"product": 1, "quantity": 10**12}, 400, "validation_error"),
    ],
)
def test_bad_items_are_refused_in_the_error_format(client_for, payload, status, code):
    response = client_for().post(ITEMS, payload, format="json")

    assert response.status_code == status
    body = response.json()
    assert body["code"] == code or (status == 400 and body["code"] in ("invalid", "validation_error"))
    assert "request_id" in body


def test_inactive_product_cannot_be_added(client_for):
    product = ProductFactory(active=False)

    response = client_for().post(ITEMS, {"product": product.pk}, format="json")

    assert response.status_code == 404


def test_malformed_json_is_400(client_for):
    response = client_for().post(ITEMS, data="{not json", content_type="application/json")

    assert response.status_code == 400


def test_patch_and_delete_lines(client_for):
    client = client_for()
    product = ProductFactory(stock=4)
    item_id = client.post(ITEMS, {"product": product.pk, "quantity": 1}, format="json").json()["items"][0]["id"]

    assert client.patch(f"{ITEMS}{item_id}/", {"quantity": 4}, format="json").json()["items"][0]["quantity"] == 4
    over = client.patch(f"{ITEMS}{item_id}/", {"quantity": 5}, format="json")
    assert over.status_code == 409 and over.json()["code"] == "out_of_stock"
    assert client.delete(f"{ITEMS}{item_id}/").json()["items"] == []
    assert client.delete(f"{ITEMS}{item_id}/").status_code == 404


def test_patch_zero_removes_the_line(client_for):
    client = client_for()
    product = ProductFactory(stock=4)
    item_id = client.post(ITEMS, {"product": product.pk}, format="json").json()["items"][0]["id"]

    response = client.patch(f"{ITEMS}{item_id}/", {"quantity": 0}, format="json")

    assert response.json()["items"] == []
    assert not CartItem.objects.filter(pk=item_id).exists()


def test_someone_elses_line_is_not_found(client_for):
    other_item = CartItemFactory()

    response = client_for().patch(f"{ITEMS}{other_item.pk}/", {"quantity": 1}, format="json")

    assert response.status_code == 404
    assert CartItem.objects.get(pk=other_item.pk).quantity == 1


def test_unknown_token_is_404_for_anonymous(api_client):
    response = api_client.get(CART, HTTP_X_CART_TOKEN="no-such-token")

    assert response.status_code == 404
    assert response.json()["code"] == "cart_not_found"


def test_anonymous_cart_merged_at_sign_in(client_for, api_client):
    kept = ProductFactory(stock=10)
    capped = ProductFactory(stock=3)
    sold_out = ProductFactory(stock=1)
    anonymous = CartFactory(user=None)
    CartItemFactory(cart=anonymous, product=kept, quantity=2)
    CartItemFactory(cart=anonymous, product=capped, quantity=2)
    CartItemFactory(cart=anonymous, product=sold_out, quantity=1)
    client = client_for()
    user_cart = CartFactory(user=client.user)
    CartItemFactory(cart=user_cart, product=kept, quantity=1)
    CartItemFactory(cart=user_cart, product=capped, quantity=2)
    sold_out.stock.reserved = 1
    sold_out.stock.save()

    response = client.get(CART, HTTP_X_CART_TOKEN=anonymous.token)

    assert response.status_code == 200
    quantities = {item["sku"]: item["quantity"] for item in response.json()["items"]}
    assert quantities == {kept.sku: 3, capped.sku: 3}
    anonymous.refresh_from_db()
    assert anonymous.merged_into_id == user_cart.pk and anonymous.merged_at is not None
    # merged once: the same token again changes nothing, and the anonymous cart is gone for anonymous callers
    assert client.get(CART, HTTP_X_CART_TOKEN=anonymous.token).json()["item_count"] == 6
    assert api_client.get(CART, HTTP_X_CART_TOKEN=anonymous.token).status_code == 404
    assert "X-Cart-Token" not in response


def test_cart_read_costs_the_same_for_1_or_50_lines(client_for, django_assert_max_num_queries):
    client = client_for()
    cart = CartFactory(user=client.user)
    CartItemFactory(cart=cart)
    client.get(CART)
    with django_assert_max_num_queries(5) as small:  # 5th: the applied coupon (services.coupons)
        client.get(CART)
    for _ in range(49):
        CartItemFactory(cart=cart)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(CART)
    assert len(response.json()["items"]) == 50


def test_changing_a_line_without_a_cart_creates_no_cart(api_client, client_for):
    assert api_client.patch(f"{ITEMS}1/", {"quantity": 1}, format="json").status_code == 404
    assert client_for().delete(f"{ITEMS}1/").status_code == 404
    assert Cart.objects.count() == 0
