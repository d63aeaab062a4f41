"""Admin single sign-on: the OIDC backend against the stand-in's token endpoint, and the full flow."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.sessions.backends.cache import SessionStore
from django.test import RequestFactory

from makrx.auth.oidc import KeycloakOIDCBackend
from makrx.models import User
from makrx.tests.auth.conftest import CLIENT_ID

pytestmark = pytest.mark.django_db

SUB = "oidc-sub-1"


def _login(keycloak, *, id_token=None, access_token=None, nonce="nonce-1", roles=None, **claims):
    """Run the backend as the callback view does, with the stand-in answering the code exchange."""
    claims.setdefault("sub", SUB)
    keycloak.token_response = {
        "id_token": id_token or keycloak.mint_id_token(nonce=nonce, **claims),
        "access_token": access_token or keycloak.mint(azp=CLIENT_ID, roles=roles or [], sub=claims["sub"]),
        "token_type": "Bearer",
    }
    request = RequestFactory().get("/oidc/callback/", {"code": "the-code", "state": "the-state"})
    request.session = SessionStore()
    return KeycloakOIDCBackend().authenticate(request, nonce=nonce, code_verifier="the-verifier")


def test_creates_user_by_sub_with_roles_from_the_access_token(keycloak):
    user = _login(keycloak, roles=["store_admin"], preferred_username="sam", email="sam@example.test")
    assert user is not None
    assert (user.keycloak_sub, user.username, user.email) == (SUB, "sam", "sam@example.test")
    assert user.roles == ["store_admin"]
    assert (user.is_staff, user.is_superuser) == (True, False)
    # PKCE: the code verifier went to the token endpoint with the code
    assert keycloak.token_requests[-1]["code_verifier"] == "the-verifier"
    assert keycloak.token_requests[-1]["code"] == "the-code"


def test_updates_the_same_user_on_the_next_login(keycloak):
    first = _login(keycloak, roles=["super_admin"], email="old@example.test")
    second = _login(keycloak, roles=["super_admin"], email="new@example.test", given_name="Neo")
    assert second.pk == first.pk
    second.refresh_from_db()
    assert (second.email, second.first_name, second.is_superuser) == ("new@example.test", "Neo", True)
    assert User.objects.filter(keycloak_sub=SUB).count() == 1


def test_staff_only_through_roles(keycloak, make_user):
    # A user someone made staff by hand loses it: staff comes from Keycloak roles only.
    user = make_user("sam", is_staff=True, is_superuser=True)
    User.objects.filter(pk=user.pk).update(keycloak_sub=SUB)
    logged_in = _login(keycloak, roles=["service_provider"], preferred_username="sam")
    assert logged_in.pk == user.pk
    assert (logged_in.is_staff, logged_in.is_superuser) == (False, False)


def test_not_matched_by_email(keycloak, make_user):
    existing = make_user("victim", email="boss@example.test", roles=["super_admin"])
    user = _login(keycloak, email="boss@example.test", preferred_username="attacker")
    assert user.pk != existing.pk
    assert not user.is_superuser


def test_rejects_an_id_token_for_another_audience(keycloak):
    assert _login(keycloak, aud="some-other-client", azp="some-other-client") is None
    assert not User.objects.filter(keycloak_sub=SUB).exists()


def test_rejects_multi_audience_id_token_issued_to_another_party(keycloak):
    assert _login(keycloak, aud=[CLIENT_ID, "other"], azp="other") is None


def test_rejects_wrong_issuer(keycloak, other_realm):
    id_token = other_realm.mint_id_token(sub=SUB)
    assert _login(keycloak, id_token=id_token) is None


def test_rejects_nonce_mismatch(keycloak):
    id_token = keycloak.mint_id_token(nonce="another-nonce", sub=SUB)
    assert _login(keycloak, id_token=id_token, nonce="nonce-1") is None


def test_rejects_an_unsigned_id_token(keycloak):
    from makrx.tests.auth.conftest import unsigned_token

    forged = unsigned_token({"alg": "none", "kid": keycloak.kid}, keycloak.claims(aud=CLIENT_ID, typ="ID", sub=SUB))
    assert _login(keycloak, id_token=forged) is None


def test_rejects_access_token_of_another_user(keycloak):
    access = keycloak.mint(azp=CLIENT_ID, roles=["super_admin"], sub="someone-else")
    assert _login(keycloak, access_token=access) is None
    assert not User.objects.filter(is_superuser=True).exists()


def test_token_endpoint_error_fails_the_login_cleanly(keycloak, client, settings):
    settings.AUTHENTICATION_BACKENDS = [
        "makrx.auth.oidc.KeycloakOIDCBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    start = client.get("/oidc/authenticate/")
    state = parse_qs(urlparse(start["Location"]).query)["state"][0]
    keycloak.token_response = None  # the token endpoint answers 400 invalid_grant
    response = client.get("/oidc/callback/", {"code": "bad", "state": state})
    assert response.status_code == 302 and response["Location"] == settings.LOGIN_URL
    assert "_auth_user_id" not in client.session
    # An unknown state is a failed login too, not an error page
    response = client.get("/oidc/callback/", {"code": "bad", "state": "forged"})
    assert response.status_code == 302 and response["Location"] == settings.LOGIN_URL


def test_full_browser_flow_logs_into_the_admin(keycloak, client, settings):
    settings.AUTHENTICATION_BACKENDS = [
        "makrx.auth.oidc.KeycloakOIDCBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    # The login page offers Keycloak
    page = client.get("/admin/login/?next=/admin/")
    assert b"Sign in with Keycloak" in page.content
    # Start: redirect to Keycloak with PKCE
    start = client.get("/oidc/authenticate/?next=/admin/")
    assert start.status_code == 302
    location = urlparse(start["Location"])
    query = parse_qs(location.query)
    assert start["Location"].startswith(settings.OIDC_OP_AUTHORIZATION_ENDPOINT)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    state = query["state"][0]
    nonce = client.session["oidc_states"][state]["nonce"]
    # Keycloak redirects back with a code
    keycloak.token_response = {
        "id_token": keycloak.mint_id_token(nonce=nonce, sub=SUB, preferred_username="ada"),
        "access_token": keycloak.mint(azp=CLIENT_ID, roles=["admin"], sub=SUB),
    }
    done = client.get("/oidc/callback/", {"code": "c0de", "state": state})
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert keycloak.token_requests[-1]["code_verifier"]
    assert client.get("/admin/").status_code == 200
    assert User.objects.get(keycloak_sub=SUB).is_staff


def test_login_page_without_keycloak_has_no_button(client, settings):
    settings.KEYCLOAK_CONFIGURED = False
    page = client.get("/admin/login/")
    assert page.status_code == 200
    assert b"Sign in with Keycloak" not in page.content
    assert b'name="password"' in page.content
