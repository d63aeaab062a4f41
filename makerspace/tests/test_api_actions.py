"""Action endpoints (``…/{id}/<verb>/``) answer POST only: other methods are 405 and absent from the schema."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

MS = "/api/v1/makerspace"
ACTIONS = [
    "reservations/{id}/cancel/",
    "reservations/{id}/check-in/",
    "reservations/{id}/no-show/",
    "reservations/{id}/complete/",
    "maintenance/tickets/{id}/assign/",
    "maintenance/tickets/{id}/resolve/",
    "maintenance/tickets/{id}/close/",
    "maintenance/windows/{id}/cancel/",
    "subscriptions/{id}/cancel/",
    "usage-sessions/{id}/stop/",
    "members/{id}/approve/",
    "members/{id}/reject/",
    "members/{id}/suspend/",
    "members/{id}/reactivate/",
]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_action_endpoints_refuse_other_methods_with_405(client_for, action, method):
    client = client_for(roles=["admin"])

    response = getattr(client, method)(f"{MS}/{action.format(id=1)}", data={}, format="json")

    assert response.status_code == 405, response.content[:200]
    body = response.json()
    assert body["code"] == "method_not_allowed"
    assert set(body) >= {"detail", "code", "request_id"}
    assert response["Allow"].replace(" ", "").split(",") == ["POST", "OPTIONS"]


def test_the_schema_lists_only_post_on_action_paths(api_client):
    paths = api_client.get("/api/schema/").json()["paths"]

    for action in ACTIONS:
        operations = set(paths[f"{MS}/{action}"]) - {"parameters"}
        assert operations == {"post"}, (action, operations)
