"""Booking endpoints: bad input of any kind is a 4xx in the error format, never a 500."""

from __future__ import annotations

import pytest

from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"
LISTS = ["reservations", "maintenance/tickets", "maintenance/windows", "usage-sessions"]


@pytest.mark.parametrize("resource", LISTS)
@pytest.mark.parametrize(
    "params",
    [
        {"equipment": "1\x00"},
        {"equipment": HUGE},
        {"status": "zzz"},
        {"page": "x"},
        {"page_size": "-1"},
        {"starts_after": "\x00"},
        {"open": "maybe"},
        {"makerspace": "'; DROP TABLE makerspace_reservation; --"},
    ],
)
def test_hostile_query_strings(client_for, resource, params):
    f.ReservationFactory()
    response = client_for(roles=["admin"]).get(f"/api/v1/makerspace/{resource}/", params)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert {"detail", "code", "request_id"} <= set(response.json())


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "reservations/{huge}/"),
        ("post", "reservations/{huge}/cancel/"),
        ("post", "reservations/{huge}/check-in/"),
        ("post", "reservations/{huge}/no-show/"),
        ("post", "reservations/{huge}/complete/"),
        ("get", "equipment/{huge}/availability/?date=2026-12-01"),
        ("patch", "maintenance/tickets/{huge}/"),
        ("post", "maintenance/tickets/{huge}/resolve/"),
        ("post", "maintenance/windows/{huge}/cancel/"),
        ("post", "usage-sessions/{huge}/stop/"),
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
        ("reservations/", {"equipment": HUGE, "starts_at": "2030-01-01T10:00Z", "ends_at": "2030-01-01T11:00Z"}),
        ("reservations/", {"equipment": [1], "starts_at": {"a": 1}, "ends_at": None}),
        (
            "reservations/",
            {"equipment": 1, "starts_at": "2030-01-01T10:00Z", "ends_at": "2030-01-01T11:00Z", "member": "me"},
        ),
        ("maintenance/tickets/", {"equipment": 1, "title": "x" * 1000}),
        ("maintenance/tickets/", {"equipment": 1, "title": "x", "priority": "urgent!!"}),
        ("maintenance/windows/", {"equipment": 1, "starts_at": "tomorrow", "ends_at": "later"}),
        ("usage-sessions/", {"equipment": None}),
        ("usage-sessions/", {"equipment": 1, "member": HUGE}),
    ],
)
def test_wrong_types_are_400(client_for, path, body):
    f.EquipmentFactory()
    response = client_for(roles=["admin"]).post("/api/v1/makerspace/" + path, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_ticket_transitions_and_assign_bad_user(client_for):
    staff = f.MemberFactory(role="staff")
    ticket = f.MaintenanceTicketFactory(equipment=f.EquipmentFactory(makerspace=staff.makerspace))
    client = client_for(user=staff.user)
    base = f"/api/v1/makerspace/maintenance/tickets/{ticket.pk}/"
    assert client.post(base + "assign/", {"assignee": 999999}, format="json").status_code == 400
    outsider = f.UserFactory()
    assert client.post(base + "assign/", {"assignee": outsider.pk}, format="json").status_code == 400
    assert client.post(base + "resolve/", {"resolution": ""}, format="json").status_code == 400
    assert client.post(base + "close/", {}, format="json").json()["status"] == "closed"
    assert client.post(base + "assign/", {"assignee": None}, format="json").json()["code"] == "invalid_transition"
    assert client.patch(base, {"priority": "critical"}, format="json").json()["priority"] == "critical"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-02-30"])
def test_availability_for_dates_at_the_edge_of_the_calendar_is_400(client_for, day):
    """Regression (fuzzing): ?date=9999-12-31 overflowed computing the next midnight → 500."""
    machine = f.EquipmentFactory()
    response = client_for(roles=["admin"]).get(
        f"/api/v1/makerspace/equipment/{machine.pk}/availability/", {"date": day}
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and "date" in response.json()["errors"]
