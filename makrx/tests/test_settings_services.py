"""Settings wiring for services: psycopg pool, Redis cache, Sentry, email; the base model's timestamps."""

from __future__ import annotations

import json
import os
from datetime import UTC

import pytest

from makrx.models import Page
from makrx.tests.subprocess_env import base_env, run_python, server_database_url


def run_settings(snippet: str, **env: str) -> dict:
    result = run_python(snippet, base_env(**env), setup_django=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_psycopg_pool_is_configured_and_serves_queries():
    snippet = """
import json
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SELECT 1")
    value = cursor.fetchone()[0]
db = settings.DATABASES["default"]
print(json.dumps({"pool": db["OPTIONS"].get("pool"), "conn_max_age": db["CONN_MAX_AGE"], "value": value,
                  "engine": db["ENGINE"], "pooled": connection.pool is not None}))
"""
    data = run_settings(
        snippet, DATABASE_URL=server_database_url(), DB_POOL_SIZE="2", DB_MAX_OVERFLOW="3", DB_POOL_TIMEOUT="7"
    )

    assert data["pool"] == {"min_size": 2, "max_size": 5, "timeout": 7.0}
    assert data["conn_max_age"] == 0
    assert data["value"] == 1
    assert data["engine"] == "django.db.backends.postgresql"
    assert data["pooled"] is True


def test_persistent_connections_without_the_pool():
    snippet = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({"pool": db["OPTIONS"].get("pool"), "conn_max_age": db["CONN_MAX_AGE"], "health": db.get("CONN_HEALTH_CHECKS")}))
"""
    data = run_settings(snippet, DATABASE_URL=server_database_url(), CONN_MAX_AGE="120")

    assert data == {"pool": None, "conn_max_age": 120, "health": True}


def test_redis_cache_through_django_redis():
    snippet = """
import json
from django.conf import settings
from django.core.cache import cache
cache.set("probe", "v", 5)
print(json.dumps({"backend": settings.CACHES["default"]["BACKEND"], "value": cache.get("probe"),
                  "sessions": settings.SESSION_ENGINE}))
"""
    data = run_settings(snippet, REDIS_URL=os.environ["REDIS_URL"], CACHE_KEY_PREFIX="makrx-settings-test")

    assert data == {
        "backend": "django_redis.cache.RedisCache",
        "value": "v",
        "sessions": "django.contrib.sessions.backends.cache",
    }


def test_sentry_is_initialised_with_integrations_and_no_pii():
    snippet = """
import json
import sentry_sdk
client = sentry_sdk.get_client()
print(json.dumps({
    "dsn": client.options["dsn"],
    "pii": client.options["send_default_pii"],
    "rate": client.options["traces_sample_rate"],
    "environment": client.options["environment"],
    "integrations": sorted(client.integrations),
}))
"""
    data = run_settings(snippet, SENTRY_DSN="http://public@127.0.0.1:9/1", SENTRY_TRACES_SAMPLE_RATE="0.25")

    assert data["dsn"] == "http://public@127.0.0.1:9/1"
    assert data["pii"] is False
    assert data["rate"] == 0.25
    assert data["environment"] == "development"
    assert {"django", "celery", "logging"} <= set(data["integrations"])


def test_sentry_is_off_without_a_dsn():
    snippet = "import json, sentry_sdk\nprint(json.dumps(sentry_sdk.get_client().is_active()))"

    assert run_settings(snippet) is False


def test_email_url_configures_smtp():
    snippet = """
import json
from django.conf import settings
print(json.dumps([settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS]))
"""
    data = run_settings(snippet, EMAIL_URL="smtp+tls://user:pw@mail.example.com:587")

    assert data == ["django.core.mail.backends.smtp.EmailBackend", "mail.example.com", 587, True]


@pytest.mark.django_db
def test_timestamps_are_aware_utc_and_updated_on_save():
    page = Page.objects.create(title="T", slug="t")
    created, updated = page.created_at, page.updated_at

    page.title = "T2"
    page.save()
    page.refresh_from_db()

    assert created.tzinfo is not None and created.utcoffset().total_seconds() == 0
    assert page.created_at == created
    assert page.updated_at > updated
    assert page.updated_at.tzinfo == UTC or page.updated_at.utcoffset().total_seconds() == 0
