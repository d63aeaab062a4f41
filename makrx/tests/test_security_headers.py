"""Security headers on HTML pages (docs, redoc, admin) and on the API."""

from __future__ import annotations

import json

import pytest

from makrx.tests.subprocess_env import production_env, run_python

pytestmark = pytest.mark.django_db

HTML_PAGES = ["/docs", "/redoc", "/admin/login/"]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_carry_csp_and_security_headers(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_load_assets_from_self_only(client, path):
    """The sidecar serves Swagger UI and ReDoc locally, so the CSP needs no CDN."""
    html = client.get(path).content.decode()

    assert "cdn.jsdelivr.net" not in html
    assert "/static/drf_spectacular_sidecar/" in html


def test_json_api_responses_carry_nosniff_and_frame_options(api_client):
    response = api_client.get("/api/v1/utils/health-check")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_no_hsts_in_development(client):
    response = client.get("/admin/login/", secure=True)

    assert "Strict-Transport-Security" not in response


def test_hsts_and_secure_cookies_outside_development(prod_env):
    snippet = """
import json
from django.test import Client
client = Client()
page = client.get("/admin/login/", secure=True, HTTP_HOST="makrx.example.com")
plain = client.get("/admin/login/", HTTP_HOST="makrx.example.com")
probe = client.get("/health/live", HTTP_HOST="makrx.example.com")
from django.conf import settings
print(json.dumps({
    "hsts": page.get("Strict-Transport-Security"),
    "csp": page.get("Content-Security-Policy"),
    "xfo": page.get("X-Frame-Options"),
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "probe_status": probe.status_code,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
}))
"""
    result = run_python(snippet, prod_env(), setup_django=True)

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert "max-age=31536000" in data["hsts"]
    assert "includeSubDomains" in data["hsts"]
    assert data["xfo"] == "DENY"
    assert "default-src 'self'" in data["csp"]
    assert data["plain_status"] == 301 and data["plain_location"].startswith("https://")
    assert data["probe_status"] == 200  # health probes are exempt from the HTTPS redirect
    assert data["session_secure"] is True and data["csrf_secure"] is True


def test_proxy_ssl_header_only_with_trust_proxy():
    snippet = """
import json
from django.conf import settings
print(json.dumps(getattr(settings, "SECURE_PROXY_SSL_HEADER", None)))
"""
    off = run_python(snippet, production_env(), setup_django=True)
    on = run_python(snippet, production_env(TRUST_PROXY="true"), setup_django=True)

    assert json.loads(off.stdout.strip().splitlines()[-1]) is None
    assert json.loads(on.stdout.strip().splitlines()[-1]) == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_cors_allows_configured_origin_only(api_client):
    allowed = api_client.get("/api/v1/utils/health-check", HTTP_ORIGIN="http://localhost:3000")
    other = api_client.get("/api/v1/utils/health-check", HTTP_ORIGIN="https://evil.example")

    assert allowed["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "Access-Control-Allow-Origin" not in other


@pytest.mark.parametrize("origin", ["http://localhost:3000", "http://127.0.0.1:3001"])
def test_cors_preflight_of_the_store_front_allows_its_headers(api_client, origin):
    """The earlier store front sends X-Session-ID on every call: a preflight that refused it broke every call."""
    sent = "authorization,content-type,x-session-id,idempotency-key,x-request-id,x-cart-token"
    response = api_client.options(
        "/api/v1/store/cart/items/",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=sent,
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == origin
    allowed = {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert set(sent.split(",")) <= allowed
    assert "POST" in response["Access-Control-Allow-Methods"]


def test_cors_preflight_from_another_origin_is_not_allowed(api_client):
    response = api_client.options(
        "/api/v1/store/cart/items/",
        HTTP_ORIGIN="https://evil.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-session-id",
    )

    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_need_no_inline_script_so_the_csp_holds(client, path):
    import re

    html = client.get(path).content.decode()
    inline = [
        body
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        if "src=" not in attrs and "application/json" not in attrs and body.strip()
    ]

    assert inline == []
    assert "'unsafe-inline'" not in client.get(path)["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_docs_assets_are_served_in_development_without_collectstatic(client):
    response = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")

    assert response.status_code == 200
