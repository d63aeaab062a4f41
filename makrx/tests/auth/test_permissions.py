"""Platform-role permission classes and makerspace scoping (staff of A act on A, 403 on B)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIRequestFactory

from makrx.api import permissions
from makrx.auth import scoping
from makrx.errors import PermissionDenied
from makrx.tests.auth import providers

pytestmark = pytest.mark.django_db

factory = APIRequestFactory()


def _request(user, method="get"):
    request = getattr(factory, method)("/x")
    request.user = user
    return request


@pytest.mark.parametrize(
    ("permission", "allowed"),
    [
        (permissions.IsPlatformAdmin, {"super_admin", "admin"}),
        (permissions.IsStoreStaff, {"super_admin", "admin", "store_admin"}),
        (permissions.IsDjangoStaff, {"super_admin", "admin", "store_admin", "makerspace_admin"}),
    ],
)
@pytest.mark.parametrize("role", ["super_admin", "admin", "store_admin", "makerspace_admin", "service_provider", None])
def test_platform_role_permissions(make_user, permission, allowed, role):
    user = make_user(roles=[role] if role else [])
    assert permission().has_permission(_request(user, "post"), None) is (role in allowed)


def test_read_only_variants(make_user):
    maker = make_user(roles=[])
    store_admin = make_user(roles=["store_admin"])
    assert permissions.IsStoreStaffOrReadOnly().has_permission(_request(maker), None)
    assert not permissions.IsStoreStaffOrReadOnly().has_permission(_request(maker, "post"), None)
    assert permissions.IsStoreStaffOrReadOnly().has_permission(_request(store_admin, "post"), None)
    assert permissions.IsPlatformAdminOrReadOnly().has_permission(_request(AnonymousUser()), None)
    assert not permissions.IsPlatformAdminOrReadOnly().has_permission(_request(AnonymousUser(), "post"), None)
    assert not permissions.IsPlatformAdminOrReadOnly().has_permission(_request(store_admin, "post"), None)
    assert permissions.IsPlatformAdminOrReadOnly().has_permission(_request(make_user(roles=["admin"]), "post"), None)


@pytest.fixture
def spaces(settings):
    settings.MAKRX_MEMBERSHIPS_PROVIDER = "makrx.tests.auth.providers.memberships_for_user"
    providers.MEMBERSHIPS.clear()
    yield {"A": 1, "B": 2}
    providers.MEMBERSHIPS.clear()


def _member(user, makerspace, role, status="active"):
    providers.MEMBERSHIPS.setdefault(user.pk, []).append({"makerspace": makerspace, "role": role, "status": status})


@pytest.mark.urls("makrx.tests.auth.urls_for_tests")
def test_staff_of_a_acts_on_a_and_gets_403_on_b(client_for, spaces):
    client = client_for(roles=["makerspace_admin"])
    _member(client.user, spaces["A"], "staff")
    assert client.post(f"/api/v1/test/makerspaces/{spaces['A']}/staff-action").status_code == 200
    response = client.post(f"/api/v1/test/makerspaces/{spaces['B']}/staff-action")
    assert response.status_code == 403
    assert set(response.json()) >= {"detail", "code", "request_id"}


@pytest.mark.urls("makrx.tests.auth.urls_for_tests")
def test_manager_endpoint_needs_manager_or_admin(client_for, spaces):
    staff = client_for()
    _member(staff.user, spaces["A"], "staff")
    manager = client_for()
    _member(manager.user, spaces["A"], "manager")
    assert staff.post(f"/api/v1/test/makerspaces/{spaces['A']}/manager-action").status_code == 403
    assert manager.post(f"/api/v1/test/makerspaces/{spaces['A']}/manager-action").status_code == 200


@pytest.mark.urls("makrx.tests.auth.urls_for_tests")
def test_platform_admin_acts_on_every_makerspace(client_for, spaces):
    client = client_for(roles=["admin"])
    assert client.post(f"/api/v1/test/makerspaces/{spaces['B']}/manager-action").status_code == 200


def test_inactive_membership_does_not_count(make_user, spaces):
    user = make_user()
    _member(user, spaces["A"], "admin", status="suspended")
    assert not scoping.can_staff_makerspace(user, spaces["A"])


def test_service_level_checks(make_user, spaces):
    user = make_user()
    _member(user, spaces["A"], "manager")
    scoping.makerspace_manager_require(user=user, makerspace_id=spaces["A"])
    with pytest.raises(PermissionDenied) as raised:
        scoping.makerspace_staff_require(user=user, makerspace_id=spaces["B"])
    assert raised.value.code == "not_makerspace_staff"
    assert not scoping.can_manage_makerspace(AnonymousUser(), spaces["A"])


def test_object_permission_uses_makerspace_id(make_user, spaces):
    user = make_user()
    _member(user, spaces["A"], "staff")

    class Thing:
        makerspace_id = spaces["B"]

    assert not scoping.IsMakerspaceStaff().has_object_permission(_request(user), None, Thing())
    Thing.makerspace_id = spaces["A"]
    assert scoping.IsMakerspaceStaff().has_object_permission(_request(user), None, Thing())
