"""Structured JSON logs: one access line per request with request id, method, path, status, duration, user, ip."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from makrx.logging import RequestContextFilter
from makrx.tests.subprocess_env import base_env, run_python, server_database_url

pytestmark = pytest.mark.django_db

ACCESS_FIELDS = {"request_id", "method", "path", "status", "duration_ms", "user_id", "client_ip"}


@pytest.fixture
def json_lines():
    """Capture makrx.* records through the configured JSON formatter and context filter."""
    config = settings.LOGGING["formatters"]["json"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(config["fmt"], rename_fields=config["rename_fields"]))
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("makrx")
    previous_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)


def test_access_line_carries_every_field(client_for, json_lines):
    client = client_for(roles=["admin"])

    client.get("/api/v1/pages/?page_size=5", HTTP_X_REQUEST_ID="log-1", REMOTE_ADDR="192.0.2.10")

    access = [line for line in json_lines() if line["logger"] == "makrx.request"]
    assert len(access) == 1
    line = access[0]
    assert ACCESS_FIELDS <= set(line)
    assert line["request_id"] == "log-1"
    assert line["method"] == "GET"
    assert line["path"] == "/api/v1/pages/"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float | int) and line["duration_ms"] >= 0
    assert line["user_id"] == client.user.pk
    assert line["client_ip"] == "192.0.2.10"
    assert line["level"] == "INFO" and "time" in line


def test_anonymous_access_line_has_null_user(api_client, json_lines):
    api_client.get("/health/live")

    line = next(line for line in json_lines() if line["logger"] == "makrx.request")
    assert line["user_id"] is None
    assert line["status"] == 200


@pytest.mark.urls("makrx.tests.urls_for_tests")
def test_error_lines_inside_a_request_carry_its_id(api_client, json_lines):
    api_client.get("/api/test/boom", HTTP_X_REQUEST_ID="log-err")

    errors = [line for line in json_lines() if line["logger"] == "makrx.errors"]
    assert errors and errors[0]["request_id"] == "log-err"
    assert "RuntimeError" in errors[0].get("exc_info", "")


@pytest.mark.urls("makrx.tests.urls_for_tests")
def test_lines_inside_an_authenticated_request_name_the_user(client_for, json_lines):
    client = client_for()

    client.get("/api/test/logs", HTTP_X_REQUEST_ID="log-user", REMOTE_ADDR="192.0.2.44")

    line = next(line for line in json_lines() if line["logger"] == "makrx.test")
    assert line["user_id"] == client.user.pk
    assert line["request_id"] == "log-user"
    assert line["client_ip"] == "192.0.2.44"


def test_real_logging_config_writes_json_lines():
    env = base_env(
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        DATABASE_URL=server_database_url(),
        REDIS_URL="",
        CELERY_BROKER_URL="",
    )
    snippet = """
from django.test import Client
Client().get("/health/live", HTTP_X_REQUEST_ID="sub-1", REMOTE_ADDR="198.51.100.4")
"""
    result = run_python(snippet, env, setup_django=True)

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "makrx.request"]
    assert access, result.stderr
    assert ACCESS_FIELDS <= set(access[0])
    assert access[0]["request_id"] == "sub-1"
    assert access[0]["client_ip"] == "198.51.100.4"
    assert access[0]["path"] == "/health/live"


# --- credentials in URLs never reach the logs ------------------------------------------------------------------

SECRET = "s3cr3t-Calendar-Token-value"


@pytest.mark.parametrize(
    ("url", "logged_path", "logged_query"),
    [
        (
            f"/api/v1/makerspace/calendar/{SECRET}/reservations.ics",
            "/api/v1/makerspace/calendar/***/reservations.ics",
            "",
        ),
        (
            f"/api/v1/makerspace/calendar/{SECRET}/equipment/4.ics",
            "/api/v1/makerspace/calendar/***/equipment/4.ics",
            "",
        ),
        (f"/api/v1/makerspace/invites/{SECRET}/", "/api/v1/makerspace/invites/***/", ""),
        (f"/api/v1/pages/?token={SECRET}&page=2", "/api/v1/pages/", "token=***&page=2"),
        (
            f"/api/v1/pages/?api_key={SECRET}&Signature={SECRET}&x-secret={SECRET}&password={SECRET}&code={SECRET}",
            "/api/v1/pages/",
            "api_key=***&Signature=***&x-secret=***&password=***&code=***",
        ),
        (f"/api/v1/pages/?accessToken={SECRET}&search=ok", "/api/v1/pages/", "accessToken=***&search=ok"),
    ],
)
def test_secrets_in_urls_are_masked_in_the_access_line(api_client, json_lines, url, logged_path, logged_query):
    api_client.get(url)

    [line] = [entry for entry in json_lines() if entry["logger"] == "makrx.request"]
    assert SECRET not in json.dumps(line)
    assert line["path"] == logged_path
    assert line["query"] == logged_query
    assert line["message"].split()[1] == (f"{logged_path}?{logged_query}" if logged_query else logged_path)


def test_the_calendar_token_endpoint_itself_keeps_its_name(client_for, json_lines):
    client_for().get("/api/v1/makerspace/calendar/token/")

    [line] = [entry for entry in json_lines() if entry["logger"] == "makrx.request"]
    assert line["path"] == "/api/v1/makerspace/calendar/token/"


def test_secrets_are_masked_in_unhandled_error_lines(json_lines, monkeypatch):
    from django.test import Client

    from makrx.api.pages import PageViewSet

    def explode(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(PageViewSet, "list", explode)
    response = Client(raise_request_exception=False).get(f"/api/v1/pages/?token={SECRET}")

    assert response.status_code == 500
    lines = json_lines()
    assert any(entry["logger"] == "makrx.errors" for entry in lines)
    assert SECRET not in json.dumps(lines)


def test_error_reports_to_sentry_carry_masked_urls():
    from makrx.logging import sentry_before_send

    event = {
        "request": {
            "url": f"https://makrx.example.com/api/v1/makerspace/calendar/{SECRET}/reservations.ics",
            "query_string": f"signature={SECRET}&page=1",
        }
    }

    request = sentry_before_send(event, None)["request"]

    assert request["url"] == "https://makrx.example.com/api/v1/makerspace/calendar/***/reservations.ics"
    assert request["query_string"] == "signature=***&page=1"
    assert sentry_before_send({"message": "no request"}, None) == {"message": "no request"}


def test_an_oversized_query_is_refused_and_logged_shortened(api_client, json_lines):
    response = api_client.get("/api/v1/pages/?search=" + "a" * 9000)

    [line] = [entry for entry in json_lines() if entry["logger"] == "makrx.request"]
    assert response.status_code == 400
    assert line["status"] == 400
    assert len(line["query"]) <= 1025 and line["query"].endswith("…")
