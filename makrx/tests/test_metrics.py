"""/metrics: 404 unless METRICS_ENABLED; Prometheus text with request, database and business metrics."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from prometheus_client import Gauge

from makrx import metrics
from makrx.tests.subprocess_env import base_env, run_python, server_database_url

pytestmark = pytest.mark.django_db


def test_metrics_is_404_when_disabled(client):
    response = client.get("/metrics")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@override_settings(METRICS_ENABLED=True)
def test_metrics_is_prometheus_text_when_enabled(client):
    metrics.ORDERS.labels("paid").inc()
    metrics.WEBHOOKS.labels("stripe", "processed").inc()

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'makrx_orders_total{event="paid"}' in text
    assert 'makrx_webhooks_total{result="processed",source="stripe"}' in text
    assert "# TYPE makrx_reservations_total counter" in text


# A gauge only this test sets, so the collector hook is tested without depending on an app's gauges.
TEST_GAUGE = Gauge("makrx_test_collected", "Set by a test gauge collector", ["state"])


@override_settings(METRICS_ENABLED=True)
def test_gauge_collectors_run_at_scrape_time_and_failures_do_not_break_it(client):
    def collected_states():
        TEST_GAUGE.labels("dead").set(3)

    def broken():
        raise RuntimeError("collector bug")

    metrics.register_gauge_collector(collected_states)
    metrics.register_gauge_collector(broken)
    try:
        response = client.get("/metrics")
    finally:
        metrics._gauge_collectors.remove(collected_states)
        metrics._gauge_collectors.remove(broken)

    assert response.status_code == 200
    assert 'makrx_test_collected{state="dead"} 3.0' in response.content.decode()


def test_request_database_and_cache_metrics_when_enabled_in_a_fresh_process():
    import os

    env = base_env(
        METRICS_ENABLED="true",
        DATABASE_URL=server_database_url(),
        REDIS_URL=os.environ["REDIS_URL"],
        CELERY_BROKER_URL="",
        LOG_LEVEL="CRITICAL",
    )
    snippet = """
import json
from django.test import Client
from django.conf import settings
client = Client()
readiness = client.get("/health/readyz").status_code
client.get("/api/v1/utils/health-check")
response = client.get("/metrics")
print(json.dumps({
    "status": response.status_code,
    "readiness": readiness,
    "text": response.content.decode(),
    "engine": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
}))
"""
    result = run_python(snippet, env, setup_django=True)

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["status"] == 200
    assert data["readiness"] == 200
    assert data["engine"] == "django_prometheus.db.backends.postgresql"
    assert data["cache"] == "django_prometheus.cache.backends.redis.RedisCache"
    text = data["text"]
    assert "django_http_requests_total_by_method_total" in text
    assert "django_http_responses_total_by_status_total" in text
    assert "django_db_execute_total" in text
    assert "makrx_orders_total" in text
