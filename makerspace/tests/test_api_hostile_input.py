"""Bad input of any kind gets a 4xx in the error format, never a 500."""

from __future__ import annotations

import pytest

from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db

LISTS = ["makerspaces", "members", "equipment", "skills", "plans", "subscriptions"]
HUGE = "99999999999999999999"


@pytest.mark.parametrize("resource", LISTS)
@pytest.mark.parametrize(
    "params",
    [
        {"search": "a\x00b"},
        {"search": "'; DROP TABLE makerspace_member; --"},
        {"ordering": "nope"},
        {"page": "x"},
        {"page_size": "-1"},
        {"status": "zzz"},
        {"makerspace": "1\x00"},
        {"makerspace": HUGE},
    ],
)
def test_hostile_query_strings(client_for, resource, params):
    f.MemberFactory()
    response = client_for(roles=["admin"]).get(f"/api/v1/makerspace/{resource}/", params)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert {"detail", "code", "request_id"} <= set(response.json())


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "makerspaces/{huge}/"),
        ("post", "makerspaces/{huge}/join/"),
        ("patch", "members/{huge}/"),
        ("post", "members/{huge}/approve/"),
        ("delete", "members/{huge}/skills/{huge}/"),
        ("get", "equipment/{huge}/"),
        ("post", "subscriptions/{huge}/cancel/"),
    ],
)
def test_out_of_range_ids_are_404(client_for, method, path):
    response = getattr(client_for(roles=["admin"]), method)(
        "/api/v1/makerspace/" + path.format(huge=HUGE), {}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "path,body",
    [
        ("plans/", {"makerspace": HUGE, "name": "x"}),
        ("plans/", {"makerspace": [1], "name": {"a": 1}}),
        ("skills/", {"makerspace": "1", "name": "x" * 1000}),
        ("equipment/", {"makerspace": None, "name": None}),
        ("subscriptions/", {"member": HUGE, "plan": HUGE}),
        ("equipment/", {"makerspace": 1, "name": "x", "specs": "not an object", "required_skills": ["a"]}),
    ],
)
def test_wrong_types_are_400(client_for, path, body):
    f.MakerspaceFactory()
    response = client_for(roles=["admin"]).post("/api/v1/makerspace/" + path, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
