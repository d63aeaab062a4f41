"""Every error under /api/ leaves in the one JSON format of DESIGN.md §5."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("makrx.tests.urls_for_tests")]


def assert_error_format(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"detail", "code", "request_id"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["request_id"] == response["X-Request-ID"]
    if code is not None:
        assert body["code"] == code, body
    return body


def test_malformed_json_is_400_parse_error(api_client):
    response = api_client.post("/api/test/echo", data='{"name": "x", ', content_type="application/json")

    assert_error_format(response, 400, "parse_error")


@pytest.mark.parametrize(
    "raw",
    ['{"name": "\\ud800", "count": 1}', '{"name": "ok", "count": "\\udfff"}', '{"\\ud800": 1}', '["\\ud83d"]'],
)
def test_lone_surrogates_in_json_are_400_parse_error(api_client, raw):
    """Regression (fuzzing): the error echoing a lone surrogate back could not be encoded → 500."""
    response = api_client.post("/api/test/echo", data=raw, content_type="application/json")

    assert_error_format(response, 400, "parse_error")


def test_wrong_types_are_400_with_field_errors(api_client):
    response = api_client.post("/api/test/echo", {"name": ["not", "a", "string"], "count": "many"}, format="json")

    body = assert_error_format(response, 400, "invalid")
    assert set(body["errors"]) == {"name", "count"}
    assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages)


def test_missing_fields_are_400(api_client):
    response = api_client.post("/api/test/echo", {}, format="json")

    body = assert_error_format(response, 400, "invalid")
    assert set(body["errors"]) == {"name", "count"}


@pytest.mark.parametrize("body", ["[1, 2]", "null", '"text"', "12", "\x00\xff"])
def test_hostile_bodies_are_4xx_never_500(api_client, body):
    response = api_client.post("/api/test/echo", data=body, content_type="application/json")

    assert 400 <= response.status_code < 500
    assert_error_format(response, response.status_code)


def test_unauthenticated_is_401_with_www_authenticate(api_client):
    response = api_client.get("/api/test/protected")

    assert_error_format(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_forbidden_is_403(client_for):
    response = client_for().post("/api/v1/pages/", {"title": "x"}, format="json")

    assert_error_format(response, 403, "permission_denied")


def test_unknown_api_path_is_json_404(api_client):
    response = api_client.get("/api/v1/does-not-exist/")

    assert_error_format(response, 404, "not_found")


def test_unknown_object_is_json_404(api_client):
    response = api_client.get("/api/v1/pages/no-such-page/")

    assert_error_format(response, 404, "not_found")


def test_unknown_path_outside_api_is_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_drf_method_not_allowed_is_405(api_client):
    response = api_client.delete("/api/v1/utils/health-check")

    assert_error_format(response, 405, "method_not_allowed")


def test_django_method_not_allowed_is_json_405_keeping_allow(api_client):
    response = api_client.get("/api/test/post-only")

    assert_error_format(response, 405, "method_not_allowed")
    assert response["Allow"] == "POST"


def test_view_that_raises_is_json_500_without_internals(api_client, caplog):
    response = api_client.get("/api/test/boom", HTTP_X_REQUEST_ID="boom-1")

    body = assert_error_format(response, 500, "server_error")
    assert body["request_id"] == "boom-1"
    assert "secret internal detail" not in response.content.decode()
    assert any("boom" in r.getMessage() or r.exc_info for r in caplog.records if r.name == "makrx.errors")


def test_plain_django_view_that_raises_is_json_500(api_client):
    response = api_client.get("/api/test/boom-plain")

    assert_error_format(response, 500, "server_error")
    assert "secret internal detail" not in response.content.decode()


def test_plain_view_that_raises_outside_api_is_not_json(client):
    client.raise_request_exception = False

    response = client.get("/test/boom-plain")

    assert response.status_code == 500
    assert not response["Content-Type"].startswith("application/json")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_body_over_the_limit_is_413(api_client):
    response = api_client.post("/api/test/echo", data='{"name": "' + "x" * 4096 + '"}', content_type="application/json")

    assert_error_format(response, 413, "too_large")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_form_body_over_the_limit_is_413_for_plain_views(api_client):
    response = api_client.post("/api/test/post-only", data={"a": "x" * 4096})

    # require_POST does not read the body; reading it is what trips the limit. A plain view that
    # never reads the body simply answers.
    assert response.status_code in (200, 413)


def test_unsupported_media_type_is_415(api_client):
    response = api_client.post("/api/test/echo", data="<a/>", content_type="application/xml")

    assert_error_format(response, 415, "unsupported_media_type")


def test_conflict_from_service_is_409(client_for):
    staff = client_for(roles=["admin"])
    staff.post("/api/v1/pages/", {"title": "About", "slug": "about-x"}, format="json")

    response = staff.post("/api/v1/pages/", {"title": "About again", "slug": "about-x"}, format="json")

    assert_error_format(response, 409, "duplicate")


@pytest.mark.parametrize(
    "url",
    ["/api/v1/pages/%00/", "/api/v1/pages/a%00b/", "/api/v1/pages/?published=%00", "/api/v1/pages/?x=1&y=%00"],
)
def test_nul_bytes_in_path_or_query_are_400(api_client, url):
    response = api_client.get(url)

    assert_error_format(response, 400, "bad_request")


def test_database_refusing_a_value_is_400_not_500_in_drf_views(api_client):
    response = api_client.post("/api/test/raw-lookup", {"title": "a\u0000b"}, format="json")

    assert_error_format(response, 400, "invalid")


def test_database_refusing_a_value_is_400_not_500_in_plain_views(api_client):
    response = api_client.post("/api/test/raw-lookup-plain", data="a\x00b", content_type="text/plain")

    assert_error_format(response, 400, "invalid")


def test_disallowed_host_under_api_is_json_400(api_client):
    response = api_client.get("/api/v1/pages/", HTTP_HOST="evil.example")

    assert_error_format(response, 400, "bad_request")


def test_csrf_failure_for_session_clients_is_json_403(make_user):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(make_user(roles=["admin"]))

    response = client.post("/api/v1/pages/", {"title": "x"}, format="json")

    body = assert_error_format(response, 403)
    assert "CSRF" in body["detail"]
