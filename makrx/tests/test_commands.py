"""Management commands: seed (idempotent), doctor (masked secrets, non-zero on failure), dbstatus."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from makrx.models import Page, User
from makrx.tests.netutils import closed_port
from makrx.tests.subprocess_env import base_env, run_manage
from makrx.tests.test_health import redis_caches

pytestmark = pytest.mark.django_db


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


def test_seed_is_idempotent():
    run("seed", "--only", "makrx")
    pages = set(Page.objects.values_list("slug", "title"))
    users = User.objects.count()

    output = run("seed", "--only", "makrx")

    assert set(Page.objects.values_list("slug", "title")) == pages
    assert User.objects.count() == users == 1
    assert {"about", "terms", "help"} <= {slug for slug, _ in pages}
    assert "seeded makrx" in output
    assert User.objects.get(username="admin").is_superuser


def test_seed_does_not_overwrite_pages_staff_edited():
    run("seed", "--only", "makrx")
    Page.objects.filter(slug="about").update(body="Edited by staff")

    run("seed", "--only", "makrx")

    assert Page.objects.get(slug="about").body == "Edited by staff"


def test_seed_creates_no_superuser_outside_development():
    with override_settings(IS_DEVELOPMENT=False):
        run("seed", "--only", "makrx")

    assert not User.objects.filter(username="admin").exists()
    assert Page.objects.filter(slug="about").exists()


def test_doctor_prints_configuration_and_passes_when_dependencies_are_up():
    output = run("doctor")

    assert "ENVIRONMENT" in output and "DATABASE" in output and "REDIS_URL" in output
    assert "database" in output and "redis" in output
    assert "all checks passed" in output


def test_doctor_masks_secrets():
    secrets = {
        "SECRET_KEY": "supersecretvalue-0123456789-abcdefghijklmnopqrstuvwxyz-XYZ",
        "KEYCLOAK_CLIENT_SECRET": "kc-secret-value-123",
        "STRIPE_API_KEY": "sk_live_abcdef",
        "STRIPE_WEBHOOK_SECRET": "whsec_abcdef",
        "RAZORPAY_KEY_SECRET": "rzp-secret-abc",
        "S3_SECRET_KEY": "s3-secret-key-abc",
    }
    # Only the URL's password differs from the test Redis (which needs none), so the checks still pass.
    with override_settings(**secrets, REDIS_URL="redis://:hunter2pass@127.0.0.1:6379/2"):
        output = run("doctor")

    for value in [*secrets.values(), "hunter2pass"]:
        assert value not in output
    assert ":****@" in output
    assert "SECRET_KEY" in output and "(" in output  # length shown, value not


def test_doctor_exits_non_zero_when_a_dependency_is_down():
    dead = f"redis://127.0.0.1:{closed_port()}/0"
    out = io.StringIO()
    with override_settings(CACHES=redis_caches(dead), REDIS_URL=dead), pytest.raises(CommandError) as raised:
        call_command("doctor", "--timeout", "1", stdout=out, stderr=io.StringIO())

    assert "redis" in str(raised.value)
    assert "FAILED" in out.getvalue()


def test_doctor_exits_non_zero_in_a_fresh_process_with_a_dead_database():
    env = base_env(DATABASE_URL=f"postgres://postgres:dbpass123@127.0.0.1:{closed_port()}/makrx", LOG_LEVEL="CRITICAL")

    result = run_manage("doctor", "--timeout", "1", env=env)

    assert result.returncode != 0
    assert "database" in result.stdout and "FAILED" in result.stdout
    assert "dbpass123" not in result.stdout + result.stderr


def test_dbstatus_reports_reachability_migrations_and_row_counts():
    Page.objects.create(title="x", slug="x")

    output = run("dbstatus")

    assert "(reachable)" in output
    assert "makrx" in output and "applied / pending" in output
    assert "makrx_page" in output
    assert "pending: run manage.py migrate" not in output


def test_dbstatus_fails_cleanly_when_the_database_is_unreachable():
    env = base_env(DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/makrx", LOG_LEVEL="CRITICAL")

    result = run_manage("dbstatus", env=env)

    assert result.returncode != 0
    assert "database unreachable" in result.stderr
    assert "Traceback" not in result.stderr
