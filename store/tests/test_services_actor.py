"""Store services check the actor themselves, so the API, the admin and scripts cannot disagree."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from makrx.errors import PermissionDenied
from store.models import Brand, Order, Product, StockLevel
from store.services import SYSTEM
from store.services import catalog as services
from store.services.checkout import order_checkout
from store.services.orders import order_fulfil, order_mark_paid, order_refund
from store.services.stock import stock_set_on_hand
from store.tests.factories import (
    BrandFactory,
    CartFactory,
    CartItemFactory,
    CategoryFactory,
    OrderFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

CATALOG_WRITES = {
    "product_create": lambda actor: services.product_create(actor=actor, sku="MX-NEW", name="New", price=Decimal(1)),
    "product_update": lambda actor: services.product_update(actor=actor, product=ProductFactory(), name="Renamed"),
    "product_save": lambda actor: services.product_save(
        actor=actor, product=Product(sku="MX-B", name="B", price=Decimal(1))
    ),
    "product_set_active": lambda actor: services.product_set_active(
        actor=actor, product_ids=[ProductFactory().pk], active=False
    ),
    "category_create": lambda actor: services.category_create(actor=actor, name="Cat"),
    "category_update": lambda actor: services.category_update(actor=actor, category=CategoryFactory(), name="X"),
    "brand_save": lambda actor: services.brand_save(actor=actor, name="Acme"),
    "tag_save": lambda actor: services.tag_save(actor=actor, name="smd"),
    "collection_save": lambda actor: services.collection_save(actor=actor, name="Kit"),
    "stock_set_on_hand": lambda actor: stock_set_on_hand(actor=actor, product=ProductFactory(stock=1), on_hand=5),
}


@pytest.mark.parametrize("roles", [(), ("makerspace_admin",), ("service_provider",)], ids=["customer", "ms", "sp"])
@pytest.mark.parametrize("write", sorted(CATALOG_WRITES))
def test_catalog_and_stock_writes_refuse_anyone_but_store_staff(make_user, roles, write):
    before = (Product.objects.count(), Brand.objects.count())
    with pytest.raises(PermissionDenied):
        CATALOG_WRITES[write](make_user(roles=list(roles)))
    if write in ("product_create", "brand_save"):
        assert (Product.objects.count(), Brand.objects.count()) == before


@pytest.mark.parametrize("actor", ["store_admin", "admin", "system"])
@pytest.mark.parametrize("write", sorted(CATALOG_WRITES))
def test_catalog_and_stock_writes_accept_store_staff_and_the_system(make_user, write, actor):
    CATALOG_WRITES[write](SYSTEM if actor == "system" else make_user(roles=[actor]))


def test_anonymous_actor_is_refused():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.tag_save(actor=AnonymousUser(), name="x")
    with pytest.raises(PermissionDenied):
        services.tag_save(actor=None, name="x")


@pytest.mark.parametrize("service", [order_fulfil, order_refund])
def test_fulfil_and_refund_need_store_staff_even_for_the_owner(make_user, service):
    owner = make_user()
    order = OrderFactory(user=owner, status=Order.Status.PAID)
    with pytest.raises(PermissionDenied):
        service(order=order, actor=owner)
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    service(order=order, actor=make_user(roles=["store_admin"]))
    assert Order.objects.get(pk=order.pk).status != Order.Status.PAID


def test_mark_paid_needs_store_staff_or_the_system(make_user):
    owner = make_user()
    order = OrderFactory(user=owner)
    with pytest.raises(PermissionDenied):
        order_mark_paid(order=order, actor=owner)
    assert order_mark_paid(order=order, actor=SYSTEM)[1] is True
    event = order.events.get(to_status="paid")
    assert event.actor is None  # the system is never recorded as a user


def test_checkout_refuses_another_users_cart(make_user):
    owner, other = make_user(), make_user()
    cart = CartFactory(user=owner)
    CartItemFactory(cart=cart, product=ProductFactory(stock=5), quantity=1)
    with pytest.raises(PermissionDenied):
        order_checkout(cart=cart, user=other)
    assert Order.objects.count() == 0 and StockLevel.objects.get().reserved == 0


def test_admin_save_by_staff_without_a_store_role_changes_nothing(make_user):
    """The admin calls the same services: a makerspace admin with store change permission still cannot edit."""
    from store.admin.catalog import BrandAdmin

    user = make_user(roles=["makerspace_admin"])
    brand = BrandFactory(name="Before")
    brand.name = "After"
    request = RequestFactory().post("/admin/store/brand/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)

    BrandAdmin(Brand, admin.site).save_model(request, brand, form=None, change=True)

    assert Brand.objects.get(pk=brand.pk).name == "Before"
    assert any("store staff" in str(message) for message in request._messages)
