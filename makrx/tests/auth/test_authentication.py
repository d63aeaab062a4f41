"""Bearer token validation against a real Keycloak stand-in: every rejection is a clean 401."""

from __future__ import annotations

import time
import uuid

import pytest

from makrx.models import User
from makrx.tests.auth.conftest import assert_unauthorized, hs256_token, public_pem, unsigned_token

pytestmark = pytest.mark.django_db


# --- accepted -------------------------------------------------------------------------------


def test_valid_token_is_accepted_and_keys_are_fetched_once(keycloak, bearer):
    # Given a valid access token
    token = keycloak.mint()
    # When it is used twice
    first = bearer(token)
    second = bearer(token)
    # Then both succeed and the JWKS was fetched once
    assert first.status_code == 200, first.content
    assert second.status_code == 200
    assert first.json()["username"] == "alice"
    assert keycloak.jwks_requests == 1


def test_token_within_clock_leeway_is_accepted(keycloak, bearer):
    now = int(time.time())
    response = bearer(keycloak.mint(exp=now - 10, iat=now - 300))
    assert response.status_code == 200


def test_newly_rotated_key_is_accepted_after_one_refetch(keycloak, bearer):
    assert bearer(keycloak.mint()).status_code == 200
    keycloak.rotate()
    response = bearer(keycloak.mint())
    assert response.status_code == 200, response.content
    assert keycloak.jwks_requests == 2


def test_cached_key_works_while_jwks_endpoint_is_down(keycloak, bearer):
    assert bearer(keycloak.mint()).status_code == 200
    keycloak.down = True
    assert bearer(keycloak.mint()).status_code == 200


def test_last_known_keys_serve_an_outage_after_the_ttl(keycloak, bearer, settings):
    # Given keys that expire at once and an identity provider that then goes down
    settings.KEYCLOAK_PK_TTL_SECONDS = 0
    assert bearer(keycloak.mint()).status_code == 200
    keycloak.down = True
    # Then the last known keys still verify tokens
    response = bearer(keycloak.mint())
    assert response.status_code == 200, response.content
    assert keycloak.jwks_requests == 2


def test_outage_with_no_cached_key_is_503(keycloak, bearer):
    keycloak.down = True
    response = bearer(keycloak.mint())
    assert response.status_code == 503
    assert response.json()["code"] == "identity_provider_unavailable"


def test_shared_cache_serves_other_processes(keycloak, bearer):
    from makrx.auth import keys as key_cache

    assert bearer(keycloak.mint()).status_code == 200
    key_cache.clear_local_cache()  # as if another process: only the shared cache knows the keys
    assert bearer(keycloak.mint()).status_code == 200
    assert keycloak.jwks_requests == 1


def test_realm_public_key_mode(keycloak, bearer, settings):
    settings.KEYCLOAK_USE_JWKS = False
    assert bearer(keycloak.mint()).status_code == 200
    assert bearer(keycloak.mint(headers={"kid": ...})).status_code == 200
    assert keycloak.realm_requests == 1
    assert keycloak.jwks_requests == 0


def test_realm_public_key_mode_rejects_another_key(keycloak, bearer, settings):
    settings.KEYCLOAK_USE_JWKS = False
    other = keycloak.add_key(publish=False)
    assert_unauthorized(bearer(keycloak.mint(kid=other)), "invalid_signature")


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "makrx-admin"},
        {"aud": ["account", "makrx-admin"]},
        {"aud": "account", "azp": "makrx-admin"},
    ],
)
def test_audience_accepted_in_aud_or_azp(keycloak, bearer, settings, overrides):
    settings.KEYCLOAK_VERIFY_AUD = True
    assert bearer(keycloak.mint(**overrides)).status_code == 200


# --- rejected -------------------------------------------------------------------------------


def test_no_token(keycloak, bearer):
    assert_unauthorized(bearer(), "not_authenticated")


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer    ", "Bearer a b", "Bearer not-a-jwt", "Bearer a.b.c", "Bearer é.ü.ß", "Basic YWxpY2U6cHc="],
)
def test_malformed_header(keycloak, bearer, header):
    assert_unauthorized(bearer(header=header))


def test_alg_none(keycloak, bearer):
    token = unsigned_token({"alg": "none", "typ": "JWT", "kid": keycloak.kid}, keycloak.claims())
    assert_unauthorized(bearer(token), "unsupported_algorithm")


def test_hs256_signed_with_the_public_key(keycloak, bearer):
    secret = public_pem(keycloak.private_keys[keycloak.kid])
    token = hs256_token(secret, {"typ": "JWT", "kid": keycloak.kid}, keycloak.claims())
    assert_unauthorized(bearer(token), "unsupported_algorithm")


def test_unknown_kid(keycloak, bearer):
    stranger = keycloak.add_key(publish=False)
    assert_unauthorized(bearer(keycloak.mint(kid=stranger)), "unknown_key")


def test_missing_kid(keycloak, bearer):
    assert_unauthorized(bearer(keycloak.mint(headers={"kid": ...})), "unknown_key")


def test_expired(keycloak, bearer):
    now = int(time.time())
    assert_unauthorized(bearer(keycloak.mint(exp=now - 120, iat=now - 600)), "token_expired")


def test_nbf_in_the_future(keycloak, bearer):
    assert_unauthorized(bearer(keycloak.mint(nbf=int(time.time()) + 600)), "token_not_yet_valid")


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "sub"])
def test_missing_required_claim(keycloak, bearer, claim):
    assert_unauthorized(bearer(keycloak.mint(**{claim: ...})))


@pytest.mark.parametrize("claims", [{"sub": 42}, {"sub": ""}, {"exp": "soon"}, {"iat": "x"}, {"typ": "ID"}])
def test_hostile_claim_types(keycloak, bearer, claims):
    assert_unauthorized(bearer(keycloak.mint(**claims)))


def test_wrong_issuer(keycloak, bearer):
    response = bearer(keycloak.mint(iss="https://evil.example/realms/makrx"))
    assert_unauthorized(response, "invalid_issuer")
    assert keycloak.jwks_requests == 0  # a foreign issuer never costs a fetch


def test_token_from_another_realm(keycloak, other_realm, bearer):
    assert_unauthorized(bearer(other_realm.mint()), "invalid_issuer")


def test_another_realm_token_claiming_our_issuer_fails_the_signature(keycloak, other_realm, bearer):
    # The other realm's key under our kid: the signature does not verify with our key.
    forged = other_realm.mint(iss=keycloak.issuer, kid=other_realm.kid)
    keycloak.private_keys[other_realm.kid] = keycloak.private_keys[keycloak.kid]
    keycloak.published.append(other_realm.kid)
    assert_unauthorized(bearer(forged), "invalid_signature")


def test_wrong_audience_when_verified(keycloak, bearer, settings):
    settings.KEYCLOAK_VERIFY_AUD = True
    assert_unauthorized(bearer(keycloak.mint(aud="account", azp="makrx-spa")), "invalid_audience")


def test_tampered_payload(keycloak, bearer):
    import base64
    import json

    head, body, signature = keycloak.mint(roles=["admin"]).split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["realm_access"] = {"roles": ["super_admin"]}
    forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert_unauthorized(bearer(f"{head}.{forged_body}.{signature}"), "invalid_signature")
    assert not User.objects.filter(is_superuser=True).exists()


def test_key_removed_by_rotation(keycloak, bearer):
    old_token = keycloak.mint()
    assert bearer(old_token).status_code == 200
    keycloak.rotate()
    assert bearer(keycloak.mint()).status_code == 200  # picks up the new JWKS
    assert_unauthorized(bearer(old_token), "unknown_key")


def test_dev_token_refused_when_keycloak_is_configured(keycloak, bearer, settings, tmp_path):
    from makrx.auth.devtokens import dev_token_mint

    settings.DEV_TOKEN_KEY_PATH = str(tmp_path / "dev.pem")
    token = dev_token_mint(username="mallory", roles=["super_admin"])
    assert_unauthorized(bearer(token), "invalid_issuer")


def test_flood_of_random_kids_costs_at_most_a_couple_of_fetches(keycloak, bearer):
    for _ in range(100):
        token = keycloak.mint(headers={"kid": f"random-{uuid.uuid4().hex}"})
        assert_unauthorized(bearer(token), "unknown_key")
    assert keycloak.jwks_requests <= 2


def test_inactive_user_is_refused(keycloak, bearer):
    token = keycloak.mint()
    assert bearer(token).status_code == 200
    User.objects.filter(keycloak_sub=keycloak.claims()["sub"]).update(is_active=False)
    assert_unauthorized(bearer(token), "user_inactive")


@pytest.mark.parametrize("kid", [["a"], 42, {"x": 1}, ""])
def test_kid_of_the_wrong_type(keycloak, bearer, kid):
    # PyJWT will not even encode these; build them by hand.
    token = unsigned_token({"alg": "RS256", "typ": "JWT", "kid": kid}, keycloak.claims(), signature=b"x" * 256)
    assert_unauthorized(bearer(token))


def test_oversized_token(keycloak, bearer):
    assert_unauthorized(bearer(keycloak.mint(padding="x" * 20000)), "malformed_token")


def test_garbage_jwks_with_nothing_cached_is_503(keycloak, bearer, httpserver):
    httpserver.clear()
    httpserver.expect_request(f"{keycloak.base}/protocol/openid-connect/certs").respond_with_data("<html>oops</html>")
    response = bearer(keycloak.mint())
    assert response.status_code == 503
    assert set(response.json()) >= {"detail", "code", "request_id"}


def test_realm_key_outage_with_nothing_cached_is_503(keycloak, bearer, settings):
    settings.KEYCLOAK_USE_JWKS = False
    keycloak.down = True
    assert bearer(keycloak.mint()).status_code == 503


def test_unknown_kid_refetch_is_shared_across_processes(keycloak, bearer):
    from makrx.auth import keys as key_cache

    assert bearer(keycloak.mint()).status_code == 200
    stranger = keycloak.add_key(publish=False)
    assert_unauthorized(bearer(keycloak.mint(kid=stranger)), "unknown_key")  # refetch #1
    key_cache.clear_local_cache()  # another process: its own clock is fresh, the shared lock is not
    assert_unauthorized(bearer(keycloak.mint(kid=stranger)), "unknown_key")
    assert keycloak.jwks_requests == 2
