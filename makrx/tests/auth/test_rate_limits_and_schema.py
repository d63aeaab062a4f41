"""Rate limits on the identity-sensitive views, and the bearer scheme in the OpenAPI schema."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_auth_limit(settings):
    settings.RATE_LIMITS = {"auth": "3/h"}  # an hour window: a minute boundary cannot reset the count mid-test
    settings.RATELIMIT_ENABLE = True


def test_admin_password_login_is_rate_limited(client, make_user, tight_auth_limit):
    make_user("admin1", roles=["admin"], password="right-password-123")
    for _ in range(3):
        response = client.post("/admin/login/", {"username": "admin1", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    response = client.post("/admin/login/", {"username": "admin1", "password": "right-password-123"})
    assert response.status_code == 429
    assert response["Retry-After"]
    assert response.json()["code"] == "rate_limited"
    # Showing the page is not counted
    assert client.get("/admin/login/").status_code == 200


def test_password_login_still_works_for_development(client, make_user):
    make_user("admin2", roles=["admin"], password="right-password-123")
    response = client.post("/admin/login/?next=/admin/", {"username": "admin2", "password": "right-password-123"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_oidc_callback_is_rate_limited(keycloak, client, tight_auth_limit):
    statuses = [client.get("/oidc/callback/", {"code": "x", "state": "y"}).status_code for _ in range(4)]
    assert statuses[:3] == [302, 302, 302]
    assert statuses[3] == 429


def test_oidc_start_is_rate_limited(keycloak, client, tight_auth_limit):
    statuses = [client.get("/oidc/authenticate/").status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_schema_declares_bearer_auth_on_protected_operations(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    me = schema["paths"]["/api/v1/auth/me"]["get"]
    assert {"bearerAuth": []} in me["security"]
    assert me["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/MeOutput")
    assert "401" in me["responses"]
