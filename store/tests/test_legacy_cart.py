"""The earlier store front's cart (§5.3 #6-#8): guest carts by X-Session-ID (hashed, mapped onto the v1
anonymous cart), isolation between sessions, merge at sign-in, agreement with the v1 cart, hostile input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from store.models import Cart, CartItem
from store.models.cart import session_key_hash
from store.tests.factories import ProductFactory
from store.tests.legacy_contract import CART, MESSAGE, assert_shape, new_session_id

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tax(settings):
    settings.DEFAULT_TAX_RATE = Decimal("18")
    settings.RATELIMIT_ENABLE = False


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert {"detail", "code", "request_id"} <= set(body)
    if code:
        assert body["code"] == code
    return body


class Browser:
    """An API client that sends one X-Session-ID on every call, as the earlier app does."""

    def __init__(self, client, session_id: str | None = None):
        self.client, self.session_id = client, session_id or new_session_id()

    def _headers(self):
        return {"HTTP_X_SESSION_ID": self.session_id}

    def get(self, path, query=None):
        return self.client.get(path, query, **self._headers())

    def post(self, path, body=None, **extra):
        return self.client.post(path, body or {}, format="json", **self._headers(), **extra)

    def put(self, path, body):
        return self.client.put(path, body, format="json", **self._headers())

    def delete(self, path):
        return self.client.delete(path, **self._headers())


@pytest.fixture
def guest(api_client):
    return Browser(api_client)


def test_cart_contract(guest):
    first, second = ProductFactory(price=Decimal("10.00"), images=["https://cdn.example/p.png"]), ProductFactory()
    assert_shape(guest.post("/api/cart/add", {"product_id": first.pk, "quantity": 2, "meta": {}}).json(), MESSAGE)
    guest.post("/api/cart/add", {"product_id": second.pk})

    response = guest.get("/api/cart")

    assert response.status_code == 200
    body = response.json()
    assert_shape(body, CART)
    assert body["cart"]["session_id"] == guest.session_id and body["cart"]["user_id"] is None
    line = body["items"][0]
    assert (line["product"]["id"], line["quantity"], line["price_at_time"], line["item_total"]) == (
        first.pk,
        2,
        "10.00",
        "20.00",
    )
    assert line["product"]["featured_image"] == "https://cdn.example/p.png"
    assert body["summary"]["total_items"] == 3
    # 30.00 + 18 % tax: what checkout will charge.
    assert (body["summary"]["subtotal"], body["summary"]["tax_amount"], body["summary"]["total_amount"]) == (
        "30.00",
        "5.40",
        "35.40",
    )


def test_a_new_guest_gets_an_empty_cart_and_nothing_is_stored(guest):
    body = guest.get("/api/cart").json()

    assert body["items"] == [] and body["cart"]["id"] is None and body["summary"]["total_amount"] == "0.00"
    assert not Cart.objects.exists()


def test_update_and_remove_contract(guest):
    product = ProductFactory(stock=10)
    guest.post("/api/cart/add", {"product_id": product.pk, "quantity": 1})
    item = CartItem.objects.get()

    updated = guest.put(f"/api/cart/item/{item.pk}", {"quantity": 4})
    assert updated.status_code == 200 and assert_shape(updated.json(), MESSAGE) is None
    assert CartItem.objects.get().quantity == 4
    removed = guest.delete(f"/api/cart/item/{item.pk}")
    assert removed.status_code == 200 and assert_shape(removed.json(), MESSAGE) is None
    assert not CartItem.objects.exists()
    _error(guest.delete(f"/api/cart/item/{item.pk}"), 404, "cart_item_not_found")


def test_quantity_zero_removes_the_line(guest):
    product = ProductFactory()
    guest.post("/api/cart/add", {"product_id": product.pk})
    item = CartItem.objects.get()
    assert guest.put(f"/api/cart/item/{item.pk}", {"quantity": 0}).status_code == 200
    assert not CartItem.objects.exists()


def test_only_a_hash_of_the_session_id_is_stored(guest):
    guest.post("/api/cart/add", {"product_id": ProductFactory().pk})

    cart = Cart.objects.get()
    assert cart.user_id is None and cart.token  # an ordinary v1 anonymous cart
    assert cart.session_key_hash == session_key_hash(guest.session_id) != guest.session_id
    stored = " ".join(str(value) for value in Cart.objects.values_list(flat=False).get())
    assert guest.session_id not in stored


def test_one_session_one_cart_lines_grow(guest):
    product = ProductFactory(stock=10)
    guest.post("/api/cart/add", {"product_id": product.pk, "quantity": 1})
    guest.post("/api/cart/add", {"product_id": product.pk, "quantity": 2})

    assert Cart.objects.count() == 1 and CartItem.objects.get().quantity == 3


def test_sessions_never_see_or_change_each_others_carts(api_client):
    alice, mallory = Browser(api_client), Browser(api_client)
    product = ProductFactory()
    alice.post("/api/cart/add", {"product_id": product.pk, "quantity": 2})
    item = CartItem.objects.get()

    assert mallory.get("/api/cart").json()["items"] == []
    _error(mallory.put(f"/api/cart/item/{item.pk}", {"quantity": 1}), 404)
    _error(mallory.delete(f"/api/cart/item/{item.pk}"), 404)
    assert CartItem.objects.get().quantity == 2


def test_a_signed_in_user_cannot_reach_a_guest_line_by_id(client_for, guest):
    product = ProductFactory()
    guest.post("/api/cart/add", {"product_id": product.pk})
    item = CartItem.objects.get()

    other = client_for()
    _error(other.put(f"/api/cart/item/{item.pk}", {"quantity": 5}, format="json"), 404)
    _error(other.delete(f"/api/cart/item/{item.pk}"), 404)


def test_signing_in_merges_the_session_cart(client_for, api_client):
    product, other = ProductFactory(stock=10), ProductFactory(stock=10)
    guest = Browser(api_client)
    guest.post("/api/cart/add", {"product_id": product.pk, "quantity": 2})
    user_client = client_for()
    user_client.post("/api/v1/store/cart/items/", {"product": product.pk, "quantity": 1}, format="json")
    user_client.post("/api/v1/store/cart/items/", {"product": other.pk, "quantity": 1}, format="json")

    signed_in = Browser(user_client, guest.session_id)
    body = signed_in.get("/api/cart").json()

    assert body["cart"]["user_id"] == user_client.user.pk
    assert {line["product"]["id"]: line["quantity"] for line in body["items"]} == {product.pk: 3, other.pk: 1}
    guest_cart = Cart.objects.get(user__isnull=True)
    assert guest_cart.merged_at is not None and guest_cart.merged_into.user == user_client.user
    # Signed out again, the same browser starts a new, empty guest cart.
    assert Browser(api_client, guest.session_id).get("/api/cart").json()["items"] == []


def test_a_signed_in_user_adds_to_their_own_cart(client_for):
    user_client = client_for()
    product = ProductFactory()
    Browser(user_client).post("/api/cart/add", {"product_id": product.pk})
    assert Cart.objects.get().user == user_client.user and CartItem.objects.get().product == product


def test_legacy_and_v1_agree_on_the_cart_totals(client_for):
    user_client = client_for()
    for price, quantity in (("12.35", 3), ("0.99", 7)):
        product = ProductFactory(price=Decimal(price))
        Browser(user_client).post("/api/cart/add", {"product_id": product.pk, "quantity": quantity})

    legacy = user_client.get("/api/cart").json()
    v1 = user_client.get("/api/v1/store/cart/").json()

    assert legacy["summary"]["total_amount"] == v1["total"]
    assert legacy["summary"]["subtotal"] == v1["subtotal"] and legacy["summary"]["tax_amount"] == v1["tax"]
    assert [line["item_total"] for line in legacy["items"]] == [line["line_total"] for line in v1["items"]]
    assert [line["id"] for line in legacy["items"]] == [line["id"] for line in v1["items"]]


def test_out_of_stock_is_409(guest):
    product = ProductFactory(stock=2)
    _error(guest.post("/api/cart/add", {"product_id": product.pk, "quantity": 3}), 409, "out_of_stock")
    guest.post("/api/cart/add", {"product_id": product.pk, "quantity": 1})
    _error(guest.put(f"/api/cart/item/{CartItem.objects.get().pk}", {"quantity": 5}), 409, "out_of_stock")


def test_unknown_or_inactive_product_is_404(guest):
    _error(guest.post("/api/cart/add", {"product_id": 987654321}), 404, "product_not_found")
    _error(guest.post("/api/cart/add", {"product_id": ProductFactory(active=False).pk}), 404, "product_not_found")


CART_READ_QUERIES = 3


def test_cart_read_costs_the_same_for_1_or_20_lines(client_for, django_assert_num_queries):
    user_client = client_for()
    browser = Browser(user_client)
    browser.post("/api/cart/add", {"product_id": ProductFactory().pk})
    # The session lookup, the user's cart, its lines with their products and stock.
    with django_assert_num_queries(CART_READ_QUERIES):
        browser.get("/api/cart")
    for _ in range(19):
        browser.post("/api/cart/add", {"product_id": ProductFactory().pk})
    with django_assert_num_queries(CART_READ_QUERIES):
        assert len(browser.get("/api/cart").json()["items"]) == 20


# --- hostile input ---------------------------------------------------------------------------------------

JUNK_SESSION_IDS = ["short", "a" * 129, "has spaces in it 12345", "<script>alert(1)</script>", "ünïcode-session-id-1"]


@pytest.mark.parametrize("junk", JUNK_SESSION_IDS)
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/cart"), ("post", "/api/cart/add"), ("put", "/api/cart/item/1"), ("delete", "/api/cart/item/1")],
)
def test_a_junk_session_id_is_400(api_client, junk, method, path):
    ProductFactory()
    body = {"product_id": 1, "quantity": 1}
    kwargs = {"format": "json"} if method in ("post", "put") else {}
    response = getattr(api_client, method)(path, body if kwargs else None, HTTP_X_SESSION_ID=junk, **kwargs)
    _error(response, 400, "invalid_session_id")
    assert not Cart.objects.exists()


def test_a_guest_without_a_session_id_cannot_add(api_client):
    _error(api_client.post("/api/cart/add", {"product_id": ProductFactory().pk}, format="json"), 400)
    assert not Cart.objects.exists()
    _error(api_client.delete("/api/cart/item/1"), 404, "cart_not_found")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"product_id": "abc"},
        {"product_id": -1},
        {"product_id": 2**64},
        {"product_id": 1, "quantity": 0},
        {"product_id": 1, "quantity": -2},
        {"product_id": 1, "quantity": 10**6},
        {"product_id": 1, "quantity": "lots"},
        {"product_id": 1, "meta": "not an object"},
        ["product_id", 1],
    ],
)
def test_bad_add_bodies_are_400(guest, body):
    _error(guest.post("/api/cart/add", body), 400)


@pytest.mark.parametrize("body", [{}, {"quantity": -1}, {"quantity": "x"}, {"quantity": 10**6}, {"quantity": None}])
def test_bad_update_bodies_are_400(guest, body):
    guest.post("/api/cart/add", {"product_id": ProductFactory().pk})
    _error(guest.put(f"/api/cart/item/{CartItem.objects.get().pk}", body), 400)


def test_unparseable_json_is_400(guest):
    response = guest.client.generic(
        "POST",
        "/api/cart/add",
        '{"product_id": 1,',
        content_type="application/json",
        HTTP_X_SESSION_ID=guest.session_id,
    )
    _error(response, 400)


def test_a_huge_item_id_is_404(guest):
    guest.post("/api/cart/add", {"product_id": ProductFactory().pk})
    _error(guest.delete("/api/cart/item/99999999999999999999999999"), 404)


def test_staff_find_guest_session_carts_in_the_admin_without_seeing_the_id(admin_client, guest):
    guest.post("/api/cart/add", {"product_id": ProductFactory().pk})
    cart = Cart.objects.get()

    listing = admin_client.get("/admin/store/cart/", {"session_key_hash__isnull": "False"})
    change = admin_client.get(f"/admin/store/cart/{cart.pk}/change/")

    assert listing.status_code == change.status_code == 200
    assert f"/admin/store/cart/{cart.pk}/change/" in listing.content.decode()
    for page in (listing, change):
        assert guest.session_id not in page.content.decode()
        assert cart.session_key_hash not in page.content.decode()


def test_error_reports_mask_the_session_id():
    from makrx.logging import sentry_before_send

    event = {"request": {"url": "https://x.example/api/cart", "headers": {"X-Session-ID": "s" * 32, "Accept": "*/*"}}}

    headers = sentry_before_send(event, None)["request"]["headers"]

    assert headers == {"X-Session-ID": "***", "Accept": "*/*"}
