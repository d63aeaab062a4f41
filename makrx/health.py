"""Dependency checks for readiness, `doctor` and diagnostics, each bounded by a timeout."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable

import requests
from django.conf import settings
from django.db import connections

_keycloak_cache: dict[str, tuple[float, tuple[bool, str]]] = {}
KEYCLOAK_CHECK_CACHE_SECONDS = 10.0


def check_database() -> str:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # Checks run in worker threads; do not leave their connections open.
        connection.close()
    return "ok"


def check_redis() -> str:
    from django_redis import get_redis_connection

    client = get_redis_connection("default")
    if not client.ping():
        raise RuntimeError("PING failed")
    return "ok"


def check_broker() -> str:
    from kombu import Connection

    timeout = settings.READINESS_TIMEOUT_SECONDS
    with Connection(
        settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options={"socket_timeout": timeout}
    ) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)
    return "ok"


def check_keycloak() -> str:
    """The realm's discovery document, cached briefly so probes do not hammer Keycloak."""
    now = time.monotonic()
    cached = _keycloak_cache.get(settings.KEYCLOAK_ISSUER)
    if cached and now - cached[0] < KEYCLOAK_CHECK_CACHE_SECONDS:
        ok, message = cached[1]
        if not ok:
            raise RuntimeError(message)
        return message
    url = f"{settings.KEYCLOAK_ISSUER}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.READINESS_TIMEOUT_SECONDS)
        response.raise_for_status()
        issuer = response.json().get("issuer")
        if issuer != settings.KEYCLOAK_ISSUER:
            raise RuntimeError(f"issuer mismatch: {issuer!r}")
    except Exception as exc:
        _keycloak_cache[settings.KEYCLOAK_ISSUER] = (now, (False, str(exc)))
        raise
    _keycloak_cache[settings.KEYCLOAK_ISSUER] = (now, (True, "ok"))
    return "ok"


def readiness_checks() -> dict[str, Callable[[], str]]:
    """The configured dependencies: database always; Redis, broker and Keycloak when set."""
    checks: dict[str, Callable[[], str]] = {"database": check_database}
    if settings.REDIS_URL:
        checks["redis"] = check_redis
    if settings.CELERY_BROKER_URL and settings.CELERY_BROKER_URL != settings.REDIS_URL:
        checks["broker"] = check_broker
    if settings.KEYCLOAK_CONFIGURED:
        checks["keycloak"] = check_keycloak
    return checks


def run_checks(checks: dict[str, Callable[[], str]], timeout: float | None = None) -> dict[str, dict]:
    """Run checks in parallel; one that hangs past ``timeout`` counts as failed."""
    timeout = settings.READINESS_TIMEOUT_SECONDS if timeout is None else timeout
    results: dict[str, dict] = {}
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(checks)))
    started: dict[str, float] = {}
    futures = {}
    for name, check in checks.items():
        started[name] = time.perf_counter()
        futures[name] = executor.submit(check)
    deadline = time.perf_counter() + timeout
    for name, future in futures.items():
        remaining = max(0.0, deadline - time.perf_counter())
        try:
            future.result(timeout=remaining)
            results[name] = {"ok": True, "latency_ms": _ms(started[name])}
        except concurrent.futures.TimeoutError:
            results[name] = {"ok": False, "latency_ms": _ms(started[name]), "error": "timed out"}
        except Exception as exc:  # noqa: BLE001 - report, never raise
            results[name] = {"ok": False, "latency_ms": _ms(started[name]), "error": _short(exc)}
    executor.shutdown(wait=False, cancel_futures=True)
    return results


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def _short(exc: Exception) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
