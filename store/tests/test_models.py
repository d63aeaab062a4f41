"""Database invariants of the store models (constraints that back the services)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from store.models import Cart, StockLevel
from store.partnumbers import normalize_mpn
from store.tests.factories import (
    CartFactory,
    CartItemFactory,
    CategoryFactory,
    OrderLineFactory,
    PaymentFactory,
    ProductFactory,
    UserFactory,
    WebhookEventFactory,
)

pytestmark = pytest.mark.django_db


def test_factories_build_a_consistent_graph():
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    product = ProductFactory(category=child, stock=5, reserved=2, mpn="lm358\u2212dr")
    line = OrderLineFactory(product=product, quantity=2)
    PaymentFactory(order=line.order)
    CartItemFactory(product=product)
    assert child.path.startswith(root.path) and child.depth == 2
    assert product.stock.available == 3
    assert product.mpn_normalized == "LM358DR"
    assert product.currency == "INR"


@pytest.mark.parametrize(
    ("on_hand", "reserved"),
    [(-1, 0), (0, -1), (1, 2)],
)
def test_stock_constraints_refuse_impossible_levels(on_hand, reserved):
    product = ProductFactory(stock=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(product=product).update(on_hand=on_hand, reserved=reserved)


def test_one_cart_per_user_and_anonymous_needs_token():
    user = UserFactory()
    CartFactory(user=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Cart.objects.create(user=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Cart.objects.create(user=None, token=None)
    assert CartFactory(user=None).token


def test_cart_item_quantity_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        CartItemFactory(quantity=0)


def test_verified_webhook_events_are_unique_per_provider_but_rejected_ones_are_kept():
    WebhookEventFactory(event_id="evt_1")
    WebhookEventFactory(event_id="evt_1", signature_valid=False)
    WebhookEventFactory(event_id="evt_1", provider="razorpay")
    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookEventFactory(event_id="evt_1")


def test_product_price_cannot_be_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(price=Decimal("-1.00"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("lm 358-dr", "LM358DR"), ("LM358\u2212DR", "LM358DR"), ("ne555\uff0dp", "NE555P"), ("", ""), (None, "")],
)
def test_normalize_mpn(raw, expected):
    assert normalize_mpn(raw) == expected
