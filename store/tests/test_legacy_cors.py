"""The earlier store front, served from its own origin, may call the legacy paths with the headers it sends."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

SENT = "authorization,content-type,x-session-id,idempotency-key,x-request-id"


@pytest.mark.parametrize("origin", ["http://localhost:3000", "http://localhost:3001", "http://127.0.0.1:3001"])
@pytest.mark.parametrize(
    ("path", "method"),
    [("/api/cart/add", "POST"), ("/api/cart/item/1", "PUT"), ("/api/orders/checkout", "POST"), ("/api/cart", "GET")],
)
def test_preflight_from_the_store_front_is_allowed(api_client, origin, path, method):
    response = api_client.options(
        path, HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD=method, HTTP_ACCESS_CONTROL_REQUEST_HEADERS=SENT
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == origin
    assert set(SENT.split(",")) <= {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert method in response["Access-Control-Allow-Methods"]


def test_the_actual_call_carries_the_cors_answer(api_client):
    response = api_client.get(
        "/api/cart", HTTP_ORIGIN="http://localhost:3000", HTTP_X_SESSION_ID="session_0123456789abcdef"
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "http://localhost:3000"


def test_another_origin_is_not_allowed(api_client):
    response = api_client.options(
        "/api/cart/add",
        HTTP_ORIGIN="https://evil.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-session-id",
    )
    assert "Access-Control-Allow-Origin" not in response
