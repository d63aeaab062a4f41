"""Liveness, readiness (real checks, bounded by a timeout), utils and development diagnostics."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db.utils import ConnectionHandler
from django.test import override_settings

from makrx import health
from makrx.tests.netutils import closed_port, hanging_server

pytestmark = pytest.mark.django_db

ISSUER_PATH = "/realms/makrx"


def redis_caches(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }


@pytest.fixture(autouse=True)
def _forget_keycloak_result():
    health._keycloak_cache.clear()
    yield
    health._keycloak_cache.clear()


@pytest.fixture
def dead_database(monkeypatch):
    """The readiness check's `connections` pointed at PostgreSQL on a port nobody listens on."""
    broken = dict(settings.DATABASES["default"])
    broken.update(
        ENGINE="django.db.backends.postgresql", HOST="127.0.0.1", PORT=str(closed_port()), NAME="makrx_gone", OPTIONS={}
    )
    handler = ConnectionHandler({"default": broken})
    monkeypatch.setattr(health, "connections", handler)
    yield
    handler.close_all()


@pytest.mark.parametrize("path", ["/health", "/api/health", "/health/live", "/api/v1/health/live"])
def test_liveness_answers_ok_without_checks(api_client, path, dead_database):
    response = api_client.get(path)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_utils_health_check(api_client):
    response = api_client.get("/api/v1/utils/health-check")

    assert response.status_code == 200
    assert response.json() == {"status": True}


@pytest.mark.parametrize("path", ["/health/readyz", "/api/v1/health/readyz"])
def test_readiness_is_200_when_all_is_well(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "redis"}  # test env: PostgreSQL + Redis, no separate broker
    for result in body["checks"].values():
        assert result["ok"] is True
        assert isinstance(result["latency_ms"], float | int)


def test_readiness_is_503_with_dead_redis_within_the_timeout(api_client):
    with override_settings(CACHES=redis_caches(f"redis://127.0.0.1:{closed_port()}/0")):
        started = time.perf_counter()
        response = api_client.get("/health/readyz")
        elapsed = time.perf_counter() - started

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["redis"]["error"]
    assert body["checks"]["database"]["ok"] is True
    assert elapsed < 2.0


def test_readiness_is_503_with_hanging_redis_bounded_by_the_timeout(api_client):
    with hanging_server() as port, override_settings(CACHES=redis_caches(f"redis://127.0.0.1:{port}/0")):
        started = time.perf_counter()
        response = api_client.get("/health/readyz")
        elapsed = time.perf_counter() - started

    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False
    assert elapsed < 2.0


def test_readiness_is_503_with_dead_database_within_the_timeout(api_client, dead_database):
    started = time.perf_counter()
    response = api_client.get("/health/readyz")
    elapsed = time.perf_counter() - started

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["database"]["ok"] is False
    assert "OperationalError" in body["checks"]["database"]["error"]
    assert body["checks"]["redis"]["ok"] is True
    assert elapsed < 2.0


def test_readiness_with_hanging_database_bounded_by_the_timeout(api_client, monkeypatch):
    with hanging_server() as port:
        broken = dict(settings.DATABASES["default"])
        broken.update(HOST="127.0.0.1", PORT=str(port), OPTIONS={"connect_timeout": 10})
        monkeypatch.setattr(health, "connections", ConnectionHandler({"default": broken}))
        started = time.perf_counter()
        response = api_client.get("/health/readyz")
        elapsed = time.perf_counter() - started

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "latency_ms": response.json()["checks"]["database"]["latency_ms"],
        "error": "timed out",
    }
    assert elapsed < 2.0


def test_readiness_503_with_dead_database_and_redis_in_a_fresh_process():
    """The whole stack configured at closed ports, as an operator would misconfigure it."""
    from makrx.tests.subprocess_env import base_env, run_python

    port = closed_port()
    env = base_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/makrx",
        REDIS_URL=f"redis://127.0.0.1:{port}/0",
        CELERY_BROKER_URL="",
        LOG_LEVEL="CRITICAL",
    )
    snippet = """
import json, time
from django.test import Client
started = time.perf_counter()
response = Client().get("/health/readyz")
print(json.dumps({"status": response.status_code, "body": response.json(), "elapsed": time.perf_counter() - started}))
"""
    result = run_python(snippet, env, setup_django=True)

    assert result.returncode == 0, result.stderr
    import json

    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["status"] == 503
    assert data["body"]["checks"]["database"]["ok"] is False
    assert data["body"]["checks"]["redis"]["ok"] is False
    assert data["elapsed"] < 2.0


def test_readiness_checks_a_separate_broker(api_client):
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0"):
        response = api_client.get("/health/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_readiness_with_a_reachable_separate_broker(api_client):
    with override_settings(CELERY_BROKER_URL=settings.REDIS_URL.rsplit("/", 1)[0] + "/3"):
        response = api_client.get("/health/readyz")

    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["broker"]["ok"] is True


def _keycloak(httpserver):
    return override_settings(KEYCLOAK_ISSUER=httpserver.url_for(ISSUER_PATH).rstrip("/"), KEYCLOAK_CONFIGURED=True)


def test_readiness_checks_keycloak_discovery(api_client, httpserver):
    issuer = httpserver.url_for(ISSUER_PATH).rstrip("/")
    httpserver.expect_request(f"{ISSUER_PATH}/.well-known/openid-configuration").respond_with_json({"issuer": issuer})

    with _keycloak(httpserver):
        response = api_client.get("/health/readyz")

    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["keycloak"]["ok"] is True


def test_keycloak_result_is_cached_briefly(api_client, httpserver):
    issuer = httpserver.url_for(ISSUER_PATH).rstrip("/")
    httpserver.expect_request(f"{ISSUER_PATH}/.well-known/openid-configuration").respond_with_json({"issuer": issuer})

    with _keycloak(httpserver):
        for _ in range(3):
            assert api_client.get("/health/readyz").status_code == 200

    assert len(httpserver.log) == 1


def test_readiness_503_when_keycloak_answers_with_wrong_issuer(api_client, httpserver):
    httpserver.expect_request(f"{ISSUER_PATH}/.well-known/openid-configuration").respond_with_json(
        {"issuer": "https://evil.example/realms/makrx"}
    )

    with _keycloak(httpserver):
        response = api_client.get("/health/readyz")

    assert response.status_code == 503
    assert "issuer mismatch" in response.json()["checks"]["keycloak"]["error"]


def test_readiness_503_when_keycloak_errors(api_client, httpserver):
    httpserver.expect_request(f"{ISSUER_PATH}/.well-known/openid-configuration").respond_with_data("down", status=502)

    with _keycloak(httpserver):
        response = api_client.get("/health/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["keycloak"]["ok"] is False


def test_readiness_bounded_when_keycloak_hangs(api_client):
    with (
        hanging_server() as port,
        override_settings(KEYCLOAK_ISSUER=f"http://127.0.0.1:{port}/realms/makrx", KEYCLOAK_CONFIGURED=True),
    ):
        started = time.perf_counter()
        response = api_client.get("/health/readyz")
        elapsed = time.perf_counter() - started

    assert response.status_code == 503
    assert response.json()["checks"]["keycloak"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True
    assert elapsed < 2.0


# --- development diagnostics ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/private/diagnostics/server", "/api/v1/private/diagnostics/database"])
def test_diagnostics_for_staff_in_development(client_for, path):
    response = client_for(roles=["admin"]).get(path)

    assert response.status_code == 200


def test_diagnostics_database_reports_reachability_and_migrations(client_for):
    body = client_for(roles=["admin"]).get("/api/v1/private/diagnostics/database").json()

    assert body["vendor"] == "postgresql"
    assert body["checks"]["database"]["ok"] is True
    assert body["pending_migrations"] == []


@pytest.mark.parametrize("path", ["/api/v1/private/diagnostics/server", "/api/v1/private/diagnostics/database"])
def test_diagnostics_refused_to_non_staff(client_for, api_client, path):
    assert client_for().get(path).status_code == 403
    assert api_client.get(path).status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/private/diagnostics/server", "/api/v1/private/diagnostics/database"])
def test_diagnostics_are_404_outside_development(client_for, path):
    with override_settings(IS_DEVELOPMENT=False, ENVIRONMENT="production"):
        response = client_for(roles=["admin"]).get(path)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
