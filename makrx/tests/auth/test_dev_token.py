"""manage.py dev_token: key created on first use, token → /auth/me, refused outside development."""

from __future__ import annotations

import io
import os
import stat

import pytest
from django.core.management import CommandError, call_command

from makrx.tests.auth.conftest import assert_unauthorized
from makrx.tests.subprocess_env import base_env, production_env, run_manage

pytestmark = pytest.mark.django_db


@pytest.fixture
def dev_mode(settings, tmp_path):
    settings.DEV_TOKENS_ENABLED = True
    settings.KEYCLOAK_CONFIGURED = False
    settings.KEYCLOAK_ISSUER = ""
    settings.DEV_TOKEN_KEY_PATH = str(tmp_path / "keys" / ".dev_token_key.pem")
    return settings


def _dev_token(*args) -> str:
    out = io.StringIO()
    call_command("dev_token", *args, stdout=out)
    return out.getvalue().strip()


def test_round_trip(dev_mode, bearer):
    token = _dev_token("--user", "alice", "--roles", "admin,makerspace_admin", "--email", "a@example.test")
    assert stat.S_IMODE(os.stat(dev_mode.DEV_TOKEN_KEY_PATH).st_mode) == 0o600
    body = bearer(token).json()
    assert body["username"] == "alice"
    assert body["email"] == "a@example.test"
    assert body["roles"] == ["admin", "makerspace_admin"]
    assert body["is_staff"] is True and body["is_superuser"] is False


def test_key_is_reused(dev_mode, bearer):
    first = _dev_token("--user", "alice")
    second = _dev_token("--user", "bob", "--minutes", "5")
    assert bearer(first).status_code == 200
    assert bearer(second).json()["username"] == "bob"


def test_token_from_another_dev_key_is_refused(dev_mode, bearer, tmp_path):
    token = _dev_token("--user", "alice")
    dev_mode.DEV_TOKEN_KEY_PATH = str(tmp_path / "other.pem")
    _dev_token("--user", "bob")
    assert_unauthorized(bearer(token), "invalid_signature")


def test_refused_when_disabled(settings, tmp_path):
    settings.DEV_TOKENS_ENABLED = False
    settings.DEV_TOKEN_KEY_PATH = str(tmp_path / "k.pem")
    with pytest.raises(CommandError, match="disabled"):
        _dev_token("--user", "alice")
    assert not (tmp_path / "k.pem").exists()


def test_unknown_role_and_bad_minutes(dev_mode):
    with pytest.raises(CommandError, match="Unknown role"):
        _dev_token("--user", "alice", "--roles", "god")
    with pytest.raises(CommandError, match="minutes"):
        _dev_token("--user", "alice", "--minutes", "0")


def test_dev_token_refused_at_request_time_once_disabled(dev_mode, bearer):
    token = _dev_token("--user", "alice", "--roles", "super_admin")
    dev_mode.DEV_TOKENS_ENABLED = False
    assert_unauthorized(bearer(token), "invalid_issuer")


@pytest.mark.parametrize(
    ("overrides", "enabled"),
    [
        ({"ENVIRONMENT": "development"}, True),
        ({"ENVIRONMENT": "development", "KEYCLOAK_URL": "http://keycloak:8080"}, False),
        ({"ENVIRONMENT": "development", "KEYCLOAK_ISSUER": "http://kc/realms/makrx"}, False),
    ],
)
def test_settings_enable_dev_tokens_only_in_development_without_keycloak(overrides, enabled, tmp_path):
    env = base_env(DEV_TOKEN_KEY_PATH=str(tmp_path / "k.pem"), **overrides)
    result = run_manage("dev_token", "--user", "alice", env=env)
    assert (result.returncode == 0) is enabled, result.stderr
    if not enabled:
        assert "disabled" in result.stderr


def test_command_refused_in_production(tmp_path):
    env = production_env(DEV_TOKEN_KEY_PATH=str(tmp_path / "k.pem"))
    result = run_manage("dev_token", "--user", "alice", env=env)
    assert result.returncode != 0
    assert "disabled" in result.stderr
    assert not (tmp_path / "k.pem").exists()


def test_existing_user_is_reused_with_its_roles(dev_mode, bearer):
    from makrx.models import User

    admin = User.objects.create_superuser("admin", "admin@makrx.local", "admin", roles=["super_admin"])
    token = _dev_token("--user", "admin")
    body = bearer(token).json()
    assert body["username"] == "admin"
    assert body["email"] == "admin@makrx.local"
    assert body["roles"] == ["super_admin"]
    assert body["is_superuser"] is True
    assert User.objects.filter(username__startswith="admin").count() == 1
    admin.refresh_from_db()
    assert admin.keycloak_sub == "dev:admin"
    assert admin.is_superuser and admin.check_password("admin")
    # A second token, with explicit roles, still lands on the same user.
    assert bearer(_dev_token("--user", "admin", "--roles", "super_admin")).json()["id"] == body["id"]
    assert User.objects.count() == 1


def test_user_of_a_real_keycloak_subject_is_refused(dev_mode):
    from makrx.models import User

    User.objects.create_user("carol", keycloak_sub="kc-1234")
    with pytest.raises(CommandError, match="Keycloak subject"):
        _dev_token("--user", "carol")


def test_admin_view_site_goes_to_the_api_docs(admin_client):
    from django.contrib import admin

    assert admin.site.site_url == "/docs"
    response = admin_client.get("/admin/")
    assert b'href="/docs"' in response.content
    assert admin_client.get("/docs").status_code == 200
