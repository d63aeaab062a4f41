"""OpenAPI: JSON at /api/schema/, the shared error schema on operations, the bearer scheme."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api_client):
    response = api_client.get("/api/schema/")
    assert response.status_code == 200
    return response.json()


def test_schema_is_openapi_json(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "MakrX platform API"


def test_error_schema_is_shared_by_operations(schema):
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail", "code", "request_id"}
    create = schema["paths"]["/api/v1/pages/"]["post"]["responses"]
    assert create["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "403" in create and "401" in create


def test_bearer_security_scheme(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["type"] == "http"
    assert schemes["bearerAuth"]["scheme"] == "bearer"


def test_operations_endpoints_are_documented_with_unique_ids(schema):
    paths = schema["paths"]
    for path in ("/health", "/api/health", "/health/live", "/api/v1/health/live", "/health/readyz"):
        assert path in paths
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values() if "operationId" in op]
    assert len(operation_ids) == len(set(operation_ids))
    ready = paths["/health/readyz"]["get"]
    assert {"200", "503"} <= set(ready["responses"])
    assert ready.get("security") in (None, [], [{}])
