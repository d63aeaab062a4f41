"""Users from claims: found by sub, refreshed only on change, never matched by email; role mapping."""

from __future__ import annotations

import pytest

from makrx.auth.users import user_sync_from_claims, username_for_sub
from makrx.models import User
from makrx.tests.auth.conftest import CLIENT_ID
from makrx.tests.races import run_concurrently

pytestmark = pytest.mark.django_db


def _claims(**overrides):
    claims = {
        "sub": "sub-1",
        "preferred_username": "alice",
        "email": "alice@example.test",
        "given_name": "Alice",
        "family_name": "Maker",
        "realm_access": {"roles": []},
    }
    claims.update(overrides)
    return claims


def test_first_sight_creates_user_by_sub_through_the_api(keycloak, bearer):
    response = bearer(keycloak.mint(sub="abc-123"))
    assert response.status_code == 200
    user = User.objects.get(keycloak_sub="abc-123")
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "alice",
        "alice@example.test",
        "Alice",
        "Maker",
    )
    assert not user.has_usable_password()


def test_claims_changes_are_written_and_nothing_else(keycloak, bearer):
    assert bearer(keycloak.mint(sub="abc-123")).status_code == 200
    user = User.objects.get(keycloak_sub="abc-123")
    stamp = user.updated_at
    # Same claims again: no write
    assert bearer(keycloak.mint(sub="abc-123")).status_code == 200
    user.refresh_from_db()
    assert user.updated_at == stamp
    # Changed claims: refreshed
    token = keycloak.mint(
        sub="abc-123", preferred_username="alice2", email="new@example.test", given_name="Al", family_name="M"
    )
    assert bearer(token).json()["username"] == "alice2"
    user.refresh_from_db()
    assert (user.username, user.email, user.first_name, user.last_name) == ("alice2", "new@example.test", "Al", "M")
    assert user.updated_at > stamp


def test_unchanged_user_costs_one_query(django_assert_num_queries):
    user_sync_from_claims(claims=_claims(), client_id=CLIENT_ID)
    with django_assert_num_queries(1):
        user_sync_from_claims(claims=_claims(), client_id=CLIENT_ID)


def test_never_matched_by_email(make_user):
    existing = make_user("alice", email="alice@example.test")
    user = user_sync_from_claims(claims=_claims(sub="another-sub"), client_id=CLIENT_ID)
    assert user.pk != existing.pk
    assert user.keycloak_sub == "another-sub"
    existing.refresh_from_db()
    assert existing.keycloak_sub == "sub-alice"


def test_username_collision_gets_a_deterministic_suffix(make_user):
    make_user("alice")
    first = user_sync_from_claims(claims=_claims(sub="kc-2"), client_id=CLIENT_ID)
    assert first.username == username_for_sub("alice", "kc-2")
    again = user_sync_from_claims(claims=_claims(sub="kc-2"), client_id=CLIENT_ID)
    assert again.pk == first.pk and again.username == first.username


def test_username_falls_back_to_email_then_sub():
    by_email = user_sync_from_claims(claims=_claims(sub="s1", preferred_username=None), client_id=CLIENT_ID)
    assert by_email.username == "alice"
    by_sub = user_sync_from_claims(claims=_claims(sub="s2", preferred_username="***", email=None), client_id=CLIENT_ID)
    assert by_sub.username.startswith("user-")


def test_hostile_claim_values_are_cleaned():
    user = user_sync_from_claims(
        claims=_claims(
            sub="s3",
            preferred_username="bob\x00<script>" + "x" * 400,
            email=["not", "a", "string"],
            given_name="Bo\x00b",
            family_name={"x": 1},
        ),
        client_id=CLIENT_ID,
    )
    assert user.username.startswith("bobscript") and len(user.username) == 150
    assert (user.email, user.first_name, user.last_name) == ("", "Bob", "")


@pytest.mark.parametrize(
    ("roles", "is_staff", "is_superuser"),
    [
        (["super_admin"], True, True),
        (["admin"], True, False),
        (["store_admin"], True, False),
        (["makerspace_admin"], True, False),
        (["service_provider"], False, False),
        ([], False, False),
        (["offline_access", "uma_authorization"], False, False),
    ],
)
def test_role_mapping_through_the_api(keycloak, bearer, roles, is_staff, is_superuser):
    body = bearer(keycloak.mint(roles=roles)).json()
    assert (body["is_staff"], body["is_superuser"]) == (is_staff, is_superuser)
    user = User.objects.get(keycloak_sub=keycloak.claims()["sub"])
    assert (user.is_staff, user.is_superuser) == (is_staff, is_superuser)
    assert user.roles == sorted(roles)


def test_client_roles_of_our_client_count_other_clients_do_not(keycloak, bearer):
    token = keycloak.mint(
        roles=["service_provider"],
        resource_access={"makrx-admin": {"roles": ["store_admin"]}, "other-client": {"roles": ["super_admin"]}},
    )
    body = bearer(token).json()
    assert body["roles"] == ["service_provider", "store_admin"]
    assert body["is_staff"] is True and body["is_superuser"] is False


def test_losing_a_role_removes_staff(keycloak, bearer):
    assert bearer(keycloak.mint(roles=["super_admin"])).json()["is_superuser"] is True
    body = bearer(keycloak.mint(roles=[])).json()
    assert (body["is_staff"], body["is_superuser"], body["roles"]) == (False, False, [])


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_requests_create_one_user():
    users = run_concurrently(
        lambda _: user_sync_from_claims(claims=_claims(sub="race-sub"), client_id=CLIENT_ID), 6, reraise=True
    )

    assert len({user.pk for user in users}) == 1
    assert User.objects.filter(keycloak_sub="race-sub").count() == 1
