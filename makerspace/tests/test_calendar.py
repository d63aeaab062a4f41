"""iCalendar feeds addressed by a secret token."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db
BASE = "/api/v1/makerspace/calendar"


def events(response) -> list:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_token_get_rotate_and_own_feed(client_for, api_client):
    member = f.MemberFactory()
    mine = f.ReservationFactory(member=member, equipment=f.EquipmentFactory(makerspace=member.makerspace))
    f.ReservationFactory(equipment=mine.equipment, starts_at=mine.ends_at)  # someone else's
    client = client_for(user=member.user)
    token = client.get(f"{BASE}/token/").json()
    assert client.get(f"{BASE}/token/").json()["token"] == token["token"]
    assert token["reservations_url"].endswith(f"/calendar/{token['token']}/reservations.ics")
    (event,) = events(api_client.get(f"{BASE}/{token['token']}/reservations.ics"))
    assert str(event["uid"]) == f"reservation-{mine.pk}@makrx"
    assert event.decoded("dtstart") == mine.starts_at and event.decoded("dtend") == mine.ends_at
    rotated = client.post(f"{BASE}/token/").json()["token"]
    assert rotated != token["token"]
    old = api_client.get(f"{BASE}/{token['token']}/reservations.ics")
    assert old.status_code == 404 and old.json()["code"] == "not_found"
    assert api_client.get(f"{BASE}/{rotated}/reservations.ics").status_code == 200


def test_feed_ignores_a_bad_authorization_header(api_client):
    token = f.CalendarTokenFactory()
    api_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")
    assert events(api_client.get(f"{BASE}/{token.token}/reservations.ics")) == []


def test_equipment_feed_for_members_only(api_client):
    member = f.MemberFactory()
    machine = f.EquipmentFactory(makerspace=member.makerspace)
    f.ReservationFactory(equipment=machine)
    token = f.CalendarTokenFactory(user=member.user)
    (event,) = events(api_client.get(f"{BASE}/{token.token}/equipment/{machine.pk}.ics"))
    assert "reserved" in str(event["summary"])  # members do not see who booked
    outsider = f.CalendarTokenFactory()
    assert api_client.get(f"{BASE}/{outsider.token}/equipment/{machine.pk}.ics").status_code == 404
    assert api_client.get(f"{BASE}/{token.token}/equipment/999999.ics").status_code == 404
    assert api_client.get(f"{BASE}/{token.token}/equipment/{2**70}.ics").status_code == 404


def test_staff_see_who_booked(api_client):
    staff = f.MemberFactory(role="staff")
    machine = f.EquipmentFactory(makerspace=staff.makerspace)
    reservation = f.ReservationFactory(equipment=machine)
    token = f.CalendarTokenFactory(user=staff.user)
    (event,) = events(api_client.get(f"{BASE}/{token.token}/equipment/{machine.pk}.ics"))
    assert reservation.user.username in str(event["summary"])


def test_unknown_token_is_404(api_client):
    response = api_client.get(f"{BASE}/nope/reservations.ics")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_token_endpoint_needs_auth(api_client):
    assert api_client.get(f"{BASE}/token/").status_code == 401
