"""GET /api/v1/auth/me: shape, effective roles, memberships from the configured provider."""

from __future__ import annotations

import pytest

from makrx.tests.auth import providers
from makrx.tests.auth.conftest import assert_unauthorized

pytestmark = pytest.mark.django_db


@pytest.fixture
def memberships(settings):
    settings.MAKRX_MEMBERSHIPS_PROVIDER = "makrx.tests.auth.providers.memberships_for_user"
    providers.MEMBERSHIPS.clear()
    yield providers.MEMBERSHIPS
    providers.MEMBERSHIPS.clear()


def test_me_shape(client_for, memberships):
    client = client_for(roles=["makerspace_admin"], first_name="Mia", last_name="Maker")
    memberships[client.user.pk] = [
        {
            "makerspace": 7,
            "makerspace_slug": "fablab",
            "makerspace_name": "Fab Lab",
            "role": "manager",
            "status": "active",
        }
    ]
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": client.user.pk,
        "username": client.user.username,
        "email": client.user.email,
        "first_name": "Mia",
        "last_name": "Maker",
        "roles": ["makerspace_admin"],
        "is_staff": True,
        "is_superuser": False,
        "memberships": [
            {
                "makerspace": 7,
                "makerspace_slug": "fablab",
                "makerspace_name": "Fab Lab",
                "role": "manager",
                "status": "active",
            }
        ],
    }


def test_me_lists_super_admin_for_a_local_superuser(client_for, make_user):
    user = make_user("root", is_superuser=True, is_staff=True)
    body = client_for(user=user).get("/api/v1/auth/me").json()
    assert body["roles"] == ["super_admin"]


def test_me_with_the_default_provider(client_for):
    body = client_for().get("/api/v1/auth/me").json()
    assert isinstance(body["memberships"], list)


def test_me_requires_authentication(api_client):
    assert_unauthorized(api_client.get("/api/v1/auth/me"), "not_authenticated")


def test_me_refuses_writes(client_for):
    response = client_for().post("/api/v1/auth/me", {})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
