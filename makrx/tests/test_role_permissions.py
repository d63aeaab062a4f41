"""Store staff work the store's admin screens from their role alone; other staff and makers do not."""

import pytest
from django.test import Client

from store.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

STORE_SCREENS = [
    "/admin/store/product/",
    "/admin/store/product/add/",
    "/admin/store/order/",
    "/admin/store/category/",
    "/admin/store/coupon/",
    "/admin/store/serviceorder/",
]


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["store_admin", "admin"])
def test_store_staff_open_and_edit_store_screens_without_django_permission_rows(make_user, role):
    user = make_user(roles=[role])
    assert not user.user_permissions.exists() and not user.groups.exists()
    client = _client(user)
    product = ProductFactory()
    for url in [*STORE_SCREENS, f"/admin/store/product/{product.pk}/change/"]:
        assert client.get(url).status_code == 200, url
    index = client.get("/admin/").content.decode()
    assert "/admin/store/product/" in index
    assert client.get("/admin/makrx/payment/").status_code == 200  # the order's money, read-only
    assert client.get("/admin/makrx/user/").status_code == 403  # people are not the store's business


def test_read_only_store_screens_stay_read_only_for_store_staff(make_user):
    client = _client(make_user(roles=["store_admin"]))
    assert client.get("/admin/store/stockmovement/add/").status_code == 403
    assert client.get("/admin/store/order/add/").status_code == 403  # orders come from checkout


@pytest.mark.parametrize("role", ["makerspace_admin", "service_provider"])
def test_other_staff_roles_get_no_store_screen(make_user, role):
    client = _client(make_user(roles=[role]))
    for url in STORE_SCREENS:
        assert client.get(url).status_code in (302, 403), url


def test_a_maker_is_not_staff_and_an_inactive_store_admin_has_nothing(make_user):
    maker = make_user(roles=[])
    assert not maker.has_perm("store.view_product")
    gone = make_user(roles=["store_admin"], is_active=False)
    assert not gone.has_perm("store.view_product")
    assert make_user(roles=["store_admin"]).has_perm("store.change_order")
    assert not make_user(roles=["store_admin"]).has_perm("makerspace.view_reservation")


BRIDGE_SCREENS = ["/admin/bridge/inbounddelivery/", "/admin/bridge/outboxmessage/", "/admin/bridge/receivedevent/"]


def test_platform_admins_work_the_bridge_screens_and_no_other_staff_do(make_user):
    client = _client(make_user(roles=["admin"]))
    for url in BRIDGE_SCREENS:
        assert client.get(url).status_code == 200, url
    for role in ("makerspace_admin", "store_admin", "service_provider"):
        client = _client(make_user(roles=[role]))
        for url in BRIDGE_SCREENS:
            assert client.get(url).status_code in (302, 403), (role, url)
