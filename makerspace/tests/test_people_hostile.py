"""Bad input on the people-and-access endpoints: always a 4xx in the error format, never a 500."""

from __future__ import annotations

import pytest

from makerspace.tests import factories as f
from makerspace.tests.people_helpers import MS

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
LISTS = ["skill-requests", "badges", "incidents", "maintenance/intervals", "members/export.csv"]


@pytest.mark.parametrize("resource", LISTS)
@pytest.mark.parametrize(
    "params",
    [
        {"search": "a\x00b"},
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
    response = client_for(roles=["admin"]).get(f"{MS}/{resource}/".replace(".csv/", ".csv"), params)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert {"detail", "code", "request_id"} <= set(response.json())


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "makerspaces/{huge}/invites/"),
        ("post", "invites/{huge}/resend/"),
        ("post", "invites/{huge}/revoke/"),
        ("post", "skill-requests/{huge}/approve/"),
        ("post", "skill-requests/{huge}/reject/"),
        ("get", "badges/{huge}/"),
        ("get", "members/{huge}/badges/"),
        ("get", "incidents/{huge}/"),
        ("post", "incidents/{huge}/close/"),
        ("get", "equipment/{huge}/ratings/"),
        ("patch", "maintenance/intervals/{huge}/"),
    ],
)
def test_out_of_range_ids_are_404(client_for, method, path):
    response = getattr(client_for(roles=["admin"]), method)(f"{MS}/" + path.format(huge=HUGE), {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "path,body",
    [
        ("members/bulk/", {"action": "approve", "ids": [HUGE]}),
        ("members/bulk/", {"action": "approve", "ids": "1,2"}),
        ("members/bulk/", {"action": "assign_plan", "ids": [1], "plan": HUGE}),
        ("skill-requests/", {"skill": HUGE, "makerspace": 1}),
        ("badges/", {"makerspace": HUGE, "name": "x", "min_completed_sessions": 1}),
        ("badges/", {"makerspace": 1, "name": "x", "required_skills": [HUGE]}),
        ("incidents/", {"equipment": HUGE, "severity": "minor", "description": "x"}),
        ("incidents/", {"equipment": 1, "member": HUGE, "severity": "minor", "description": "x"}),
        ("maintenance/intervals/", {"equipment": HUGE, "title": "x", "every_days": 1}),
        ("maintenance/intervals/", {"equipment": 1, "title": "x", "every_days": HUGE}),
    ],
)
def test_out_of_range_ids_in_bodies_are_400(client_for, path, body):
    response = client_for(roles=["admin"]).post(f"{MS}/{path}", body, format="json")
    assert response.status_code == 400
    assert {"detail", "code", "request_id"} <= set(response.json())


def test_invite_with_oversized_or_odd_input(client_for):
    space = f.MakerspaceFactory()
    client = client_for(roles=["admin"])
    url = f"{MS}/makerspaces/{space.pk}/invites/"
    for body in (
        {"email": "a" * 300 + "@example.test"},
        {"email": ["x@example.test"]},
        {"email": "x@example.test\x00"},
    ):
        response = client.post(url, body, format="json")
        assert response.status_code == 400, body
    assert client.post(f"{MS}/invites/{'a' * 500}/accept/").status_code == 404
    nul = client.post(f"{MS}/invites/%00abc/accept/")
    assert nul.status_code == 400 and nul.json()["code"]  # refused by the platform's NUL guard
