"""Hostile input as classes, on endpoints of every app: deep JSON, out-of-range dates, oversized query strings."""

from __future__ import annotations

import json

import pytest

from makrx.boundedjson import MAX_JSON_DEPTH, JSONTooDeep, loads_bounded

pytestmark = pytest.mark.django_db

# (method, path, roles): JSON-body endpoints of each app that parse the body for the caller given.
JSON_ENDPOINTS = [
    ("post", "/api/v1/makerspace/reservations/", ()),
    ("post", "/api/v1/makerspace/makerspaces/", ("admin",)),
    ("post", "/api/v1/store/cart/items/", ()),
    ("post", "/api/v1/store/checkout/", ()),
    ("post", "/api/v1/pages/", ("admin",)),
]

DEEP_BODIES = {
    "50000-brackets": "[" * 50_000,
    "50000-balanced-brackets": "[" * 50_000 + "]" * 50_000,
    "deep-objects": '{"a":' * 200 + "1" + "}" * 200,
    "deep-arrays": "[" * 100 + "]" * 100,
    "deep-inside-an-object": '{"items": ' + "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1) + "}",
}


@pytest.fixture
def caller(client_for, api_client):
    def factory(roles):
        return client_for(roles=list(roles)) if roles else client_for()

    return factory


@pytest.mark.parametrize(("method", "path", "roles"), JSON_ENDPOINTS)
@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
def test_deep_json_is_400_on_every_app(caller, method, path, roles, body):
    client = caller(roles)

    response = getattr(client, method)(path, data=body, content_type="application/json")

    assert response.status_code == 400, response.content[:300]
    payload = response.json()
    assert payload["code"] == "too_deep"
    assert set(payload) >= {"detail", "code", "request_id"}


@pytest.mark.parametrize(("method", "path", "roles"), JSON_ENDPOINTS)
def test_json_at_the_depth_limit_is_still_parsed(caller, method, path, roles):
    client = caller(roles)
    body = '{"x": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}"

    response = getattr(client, method)(path, data=body, content_type="application/json")

    assert response.json().get("code") != "too_deep"
    assert response.status_code < 500


@pytest.mark.parametrize(("method", "path", "roles"), JSON_ENDPOINTS)
def test_json_bodies_over_the_size_limit_are_413_undecoded(caller, method, path, roles, settings):
    settings.API_JSON_MAX_BYTES = 64 * 1024
    client = caller(roles)
    body = json.dumps({"notes": "x" * (64 * 1024)})

    response = getattr(client, method)(path, data=body, content_type="application/json")

    assert response.status_code == 413, response.content[:300]
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize(("method", "path", "roles"), JSON_ENDPOINTS)
def test_json_bodies_under_the_size_limit_are_parsed(caller, method, path, roles, settings):
    settings.API_JSON_MAX_BYTES = 64 * 1024
    client = caller(roles)
    body = json.dumps({"notes": "x" * (32 * 1024)})

    response = getattr(client, method)(path, data=body, content_type="application/json")

    assert response.status_code not in (413, 500), response.content[:300]


def test_loads_bounded_for_raw_bodies():
    assert loads_bounded(b'{"a": [1, {"b": "[[[[{{{{"}]}') == {"a": [1, {"b": "[[[[{{{{"}]}
    assert loads_bounded('"\\"[[["') == '"[[['
    nested = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert loads_bounded(nested) is not None
    with pytest.raises(JSONTooDeep):
        loads_bounded("[" + nested + "]")
    with pytest.raises(ValueError):  # JSONTooDeep is a ValueError, as json.JSONDecodeError is
        loads_bounded(b"[" * 50_000)
    with pytest.raises(json.JSONDecodeError):
        loads_bounded(b"{not json")
    assert loads_bounded('{"a": 1}'.encode("utf-16")) == {"a": 1}  # same encoding detection as json.loads


def test_a_cursor_nested_too_deeply_is_an_invalid_cursor_not_a_recursion_error():
    import base64

    from makrx.api.pagination import cursor_decode
    from makrx.errors import ValidationError

    token = base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode()
    with pytest.raises(ValidationError) as refused:
        cursor_decode(token, ordering="name", size=2)
    assert refused.value.code == "invalid_cursor"


# --- dates and times -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["9999-12-31T10:00:00Z", "0001-01-01T10:00:00Z", "1999-12-31T23:59:59Z", "2100-01-01T00:00:00Z"]
)
def test_reservation_times_out_of_range_are_400(client_for, value):
    client = client_for()

    response = client.post(
        "/api/v1/makerspace/reservations/",
        {"equipment": 1, "starts_at": value, "ends_at": value},
        format="json",
    )

    assert response.status_code == 400, response.content[:300]
    assert "starts_at" in response.json()["errors"]


@pytest.mark.parametrize(
    ("path", "params", "roles"),
    [
        ("/api/v1/store/orders/", {"created_from": "0001-01-01"}, ()),
        ("/api/v1/store/orders/", {"created_to": "9999-12-31"}, ()),
        ("/api/v1/makerspace/reservations/", {"starts_after": "9999-12-31T23:59:59Z"}, ()),
        ("/api/v1/makerspace/reservations/", {"starts_before": "0001-01-01T00:00:00Z"}, ()),
    ],
)
def test_date_query_parameters_out_of_range_are_400(client_for, path, params, roles):
    client = client_for(roles=list(roles))

    response = client.get(path, params)

    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "invalid"


# --- oversized query strings -----------------------------------------------------------------------------------

QUERY_ENDPOINTS = [
    "/api/v1/makerspace/equipment/",
    "/api/v1/makerspace/reservations/",
    "/api/v1/store/products/",
    "/api/v1/store/cart/",
    "/api/v1/pages/",
    "/api/v1/auth/me",
    "/api/enhanced-catalog/catalog/brands",
]


@pytest.mark.parametrize("path", QUERY_ENDPOINTS)
@pytest.mark.parametrize(
    "query",
    ["search=" + "a" * 5000, "&".join(f"p{i}=1" for i in range(65)), "x=" + "%41" * 2000],
    ids=["long-value", "too-many-params", "long-encoded"],
)
def test_oversized_query_strings_are_400_before_the_view(client_for, path, query, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    client = client_for()
    queries = []
    monkeypatch.setattr(CursorWrapper, "execute", lambda self, sql, params=None: queries.append(sql))

    response = client.get(f"{path}?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "query_too_long"
    assert response.json()["request_id"] == response["X-Request-ID"]
    assert queries == []  # refused before any view or lookup ran


@pytest.mark.parametrize("path", QUERY_ENDPOINTS)
def test_ordinary_query_strings_pass(client_for, path):
    client = client_for()

    response = client.get(f"{path}?page=1&page_size=10")

    assert response.json().get("code") != "query_too_long"


def test_query_limits_come_from_settings(client_for, settings):
    settings.API_MAX_QUERY_STRING_LENGTH = 10
    client = client_for()

    assert client.get("/api/v1/pages/?search=abcdefghijk").status_code == 400
    assert client.get("/api/v1/pages/?search=abc").status_code == 200


def test_non_api_paths_are_not_limited(client):
    response = client.get("/health?" + "a" * 5000)

    assert response.status_code == 200
