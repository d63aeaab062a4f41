"""Coupons: applied to the cart, priced and redeemed inside checkout, limits, restrictions, release, bad input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from store.models import CartCoupon, Coupon, CouponRedemption, Order
from store.services import SYSTEM
from store.services import coupons as coupon_services
from store.services.orders import order_cancel, order_mark_paid, order_refund
from store.tests.factories import CartFactory, CartItemFactory, CategoryFactory, CouponFactory, ProductFactory

pytestmark = pytest.mark.django_db

COUPON = "/api/v1/store/cart/coupon/"
CART = "/api/v1/store/cart/"
CHECKOUT = "/api/v1/store/checkout/"


@pytest.fixture(autouse=True)
def _tax(settings):
    settings.DEFAULT_TAX_RATE = Decimal("10")
    settings.RATELIMIT_ENABLE = False


def _cart(client, *lines):
    cart = CartFactory(user=client.user)
    for product, quantity in lines:
        CartItemFactory(cart=cart, product=product, quantity=quantity)
    return cart


def test_a_percentage_coupon_in_any_case_shows_on_the_cart_and_is_redeemed_at_checkout(client_for):
    client = client_for()
    product = ProductFactory(price=Decimal("20.00"), stock=10)
    _cart(client, (product, 3))
    CouponFactory(code="save15", value=Decimal("15"))

    applied = client.post(COUPON, {"code": "  Save15 "}, format="json")

    assert applied.status_code == 200, applied.json()
    body = applied.json()
    assert (body["coupon"], body["subtotal"], body["discount"], body["tax"], body["total"]) == (
        "SAVE15", "60.00", "9.00", "5.10", "56.10"
    )  # fmt: skip
    assert client.get(CART).json()["discount"] == "9.00"

    order = client.post(CHECKOUT, {}, format="json")

    assert order.status_code == 201, order.json()
    data = order.json()
    assert (data["subtotal"], data["discount"], data["coupon_code"], data["tax"], data["total"]) == (
        "60.00", "9.00", "SAVE15", "5.10", "56.10"
    )  # fmt: skip
    redemption = CouponRedemption.objects.get()
    assert (redemption.amount, redemption.user, redemption.order.number) == (
        Decimal("9.00"),
        client.user,
        data["number"],
    )
    assert not CartCoupon.objects.exists()


def test_a_fixed_coupon_never_takes_more_than_the_eligible_items(client_for):
    client = client_for()
    cheap = ProductFactory(price=Decimal("4.00"))
    _cart(client, (cheap, 1))
    CouponFactory(code="FIVER", kind=Coupon.Kind.FIXED, value=Decimal("5.00"))

    body = client.post(COUPON, {"code": "fiver"}, format="json").json()

    assert (body["discount"], body["tax"], body["total"]) == ("4.00", "0.00", "0.00")


def test_category_restriction_covers_descendants_and_product_restriction_only_that_product(client_for):
    client = client_for()
    tools = CategoryFactory(slug="tools")
    drills = CategoryFactory(parent=CategoryFactory(parent=tools))
    other = CategoryFactory(slug="other")
    drill = ProductFactory(category=drills, price=Decimal("100.00"))
    listed = ProductFactory(category=other, price=Decimal("10.00"))
    unrelated = ProductFactory(category=other, price=Decimal("50.00"))
    _cart(client, (drill, 1), (listed, 2), (unrelated, 1))
    CouponFactory(code="TOOLS", value=Decimal("10"), categories=[tools], products=[listed])

    body = client.post(COUPON, {"code": "tools"}, format="json").json()

    assert body["discount"] == "12.00"  # 10 % of 100 (grandchild of tools) + 10 % of 2 x 10 (listed); not unrelated


@pytest.mark.parametrize(
    ("fields", "code", "status"),
    [
        ({"active": False}, "coupon_invalid", 400),
        ({"ends_at": timezone.now() - timedelta(minutes=1)}, "coupon_expired", 409),
        ({"starts_at": timezone.now() + timedelta(days=1)}, "coupon_expired", 409),
        ({"minimum_subtotal": Decimal("100.00")}, "coupon_minimum_not_met", 409),
        ({"max_redemptions": 0}, "coupon_exhausted", 409),
        ({"currency": "USD", "kind": Coupon.Kind.FIXED}, "coupon_not_applicable", 409),
    ],
)
def test_refusals_name_their_code_and_apply_nothing(client_for, fields, code, status):
    client = client_for()
    _cart(client, (ProductFactory(price=Decimal("20.00")), 1))
    CouponFactory(code="NOPE", **fields)

    response = client.post(COUPON, {"code": "nope"}, format="json")

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not CartCoupon.objects.exists()


def test_a_coupon_for_other_products_is_not_applicable(client_for):
    client = client_for()
    _cart(client, (ProductFactory(), 1))
    CouponFactory(code="ONLYTHAT", products=[ProductFactory()])

    response = client.post(COUPON, {"code": "onlythat"}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "coupon_not_applicable")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"code": ""},
        {"code": "x" * 41},
        {"code": ["SAVE"]},
        {"code": {"$ne": 1}},
        {"code": "DROP TABLE;--"},
        {"code": "\x00"},
    ],
)
def test_hostile_codes_answer_400_in_the_error_format(client_for, body):
    client = client_for()
    _cart(client, (ProductFactory(), 1))

    response = client.post(COUPON, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "coupon_invalid"} and "request_id" in response.json()
    assert not CartCoupon.objects.exists()


def test_empty_cart_cannot_take_a_coupon(client_for):
    client = client_for()
    CouponFactory(code="EMPTY")

    response = client.post(COUPON, {"code": "empty"}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "cart_empty")


def test_codes_are_unique_whatever_their_case():
    CouponFactory(code="Spring")
    with pytest.raises(IntegrityError), transaction.atomic():
        Coupon.objects.create(code="SPRING", value=Decimal("5"))
    assert Coupon.objects.get().code == "SPRING"


def test_per_customer_limit_and_release_on_cancel(client_for):
    client = client_for()
    product = ProductFactory(price=Decimal("10.00"), stock=10)
    coupon = CouponFactory(code="ONCE", max_redemptions_per_customer=1)
    _cart(client, (product, 1))
    client.post(COUPON, {"code": "once"}, format="json")
    first = client.post(CHECKOUT, {}, format="json").json()
    CartItemFactory(cart=client.user.store_carts.get(), product=product)

    again = client.post(COUPON, {"code": "once"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "coupon_exhausted")

    order_cancel(order=Order.objects.get(number=first["number"]), actor=client.user)

    assert CouponRedemption.objects.get().released_at is not None
    assert client.post(COUPON, {"code": "once"}, format="json").status_code == 200
    assert client.post(CHECKOUT, {}, format="json").status_code == 201
    assert CouponRedemption.objects.filter(coupon=coupon, released_at__isnull=True).count() == 1


def test_a_refund_releases_the_use_too(client_for):
    client = client_for()
    _cart(client, (ProductFactory(stock=5), 1))
    CouponFactory(code="BACK", max_redemptions=1)
    client.post(COUPON, {"code": "back"}, format="json")
    order = Order.objects.get(number=client.post(CHECKOUT, {}, format="json").json()["number"])
    order_mark_paid(order=order, actor=SYSTEM)

    order_refund(order=order, actor=SYSTEM)

    assert CouponRedemption.objects.get(order=order).released_at is not None


def test_checkout_refuses_a_coupon_that_expired_since_it_was_applied_and_writes_nothing(client_for):
    client = client_for()
    product = ProductFactory(stock=5)
    _cart(client, (product, 1))
    coupon = CouponFactory(code="LATE")
    client.post(COUPON, {"code": "late"}, format="json")
    Coupon.objects.filter(pk=coupon.pk).update(ends_at=timezone.now() - timedelta(seconds=1))

    assert client.get(CART).json()["coupon_problem"] == "coupon_expired"
    response = client.post(CHECKOUT, {}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "coupon_expired")
    assert not Order.objects.exists() and not CouponRedemption.objects.exists()
    assert product.stock.__class__.objects.get(product=product).reserved == 0


def test_guest_cart_takes_a_coupon_by_token_and_guests_are_counted_by_email(api_client):
    cart = CartFactory(user=None)
    CartItemFactory(cart=cart, product=ProductFactory(stock=5))
    CouponFactory(code="GUEST")
    headers = {"HTTP_X_CART_TOKEN": cart.token}

    assert api_client.post(COUPON, {"code": "guest"}, format="json", **headers).status_code == 200
    order = api_client.post(CHECKOUT, {"email": "Guest@Example.test"}, format="json", **headers)

    assert order.status_code == 201, order.json()
    assert CouponRedemption.objects.get().email == "guest@example.test"


def test_delete_takes_the_coupon_off_and_is_harmless_without_a_cart(client_for, api_client):
    client = client_for()
    _cart(client, (ProductFactory(), 1))
    CouponFactory(code="OFF")
    client.post(COUPON, {"code": "off"}, format="json")

    assert client.delete(COUPON).status_code == 204
    assert client.get(CART).json()["discount"] == "0.00"
    assert api_client.delete(COUPON).status_code == 204


def test_someone_elses_cart_is_refused_in_the_service(client_for):
    owner, other = client_for(), client_for()
    cart = _cart(owner, (ProductFactory(), 1))
    CouponFactory(code="MINE")

    with pytest.raises(coupon_services.PermissionDenied):
        coupon_services.cart_coupon_apply(actor=other.user, cart=cart, code="mine")
    assert not CartCoupon.objects.exists()


def test_a_guest_coupon_follows_the_cart_into_the_signed_in_cart(client_for, api_client):
    guest = CartFactory(user=None)
    CartItemFactory(cart=guest, product=ProductFactory())
    CouponFactory(code="HELLO")
    assert api_client.post(COUPON, {"code": "hello"}, format="json", HTTP_X_CART_TOKEN=guest.token).status_code == 200
    client = client_for()

    body = client.get(CART, HTTP_X_CART_TOKEN=guest.token).json()

    assert body["coupon"] == "HELLO" and body["discount"] == "1.00"


def test_a_checkout_may_name_its_coupon(client_for):
    client = client_for()
    _cart(client, (ProductFactory(price=Decimal("10.00")), 2))
    CouponFactory(code="ATCHECKOUT", value=Decimal("50"))

    bad = client.post(CHECKOUT, {"coupon_code": "nosuch"}, format="json")
    good = client.post(CHECKOUT, {"coupon_code": "atcheckout"}, format="json")

    assert (bad.status_code, bad.json()["code"]) == (400, "coupon_invalid")
    assert good.status_code == 201 and (good.json()["discount"], good.json()["coupon_code"]) == ("10.00", "ATCHECKOUT")
