"""X-Request-ID: echoed when safe, generated when absent, replaced when hostile."""

from __future__ import annotations

import re

import pytest

from makrx.middleware import clean_request_id

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"^[0-9a-f]{32}$")


def test_client_request_id_is_echoed(api_client):
    response = api_client.get("/health/live", HTTP_X_REQUEST_ID="abc-123_x.y")

    assert response["X-Request-ID"] == "abc-123_x.y"


def test_request_id_is_generated_when_absent(api_client):
    first = api_client.get("/health/live")["X-Request-ID"]
    second = api_client.get("/health/live")["X-Request-ID"]

    assert GENERATED.match(first) and GENERATED.match(second)
    assert first != second


@pytest.mark.parametrize(
    "hostile",
    [
        "a" * 129,
        "abc\ndef",
        "abc\x00def",
        "abc\x1bdef",
        "has space",
        "<script>alert(1)</script>",
        "id;rm -rf",
        "ünïcode",
        "",
    ],
)
def test_hostile_request_id_is_replaced(api_client, hostile):
    response = api_client.get("/health/live", HTTP_X_REQUEST_ID=hostile)

    assert GENERATED.match(response["X-Request-ID"])


def test_longest_allowed_request_id_is_kept(api_client):
    value = "a" * 128

    assert api_client.get("/health/live", HTTP_X_REQUEST_ID=value)["X-Request-ID"] == value


def test_request_id_is_in_error_bodies(api_client):
    response = api_client.get("/api/v1/nothing-here", HTTP_X_REQUEST_ID="trace-42")

    assert response.json()["request_id"] == "trace-42"
    assert response["X-Request-ID"] == "trace-42"


def test_request_id_on_html_pages_too(client):
    response = client.get("/admin/login/", HTTP_X_REQUEST_ID="trace-html")

    assert response["X-Request-ID"] == "trace-html"


def test_trailing_newline_is_not_accepted():
    # `$` in a regex matches before a trailing newline; fullmatch must be used.
    assert clean_request_id("abc\n") != "abc\n"
