"""A machine's free and busy intervals for a local day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from makerspace.selectors.reservations import equipment_availability
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db


def url(machine):
    return f"/api/v1/makerspace/equipment/{machine.pk}/availability/"


def member_of(space, client_for):
    return client_for(user=f.MemberFactory(makerspace=space).user)


@pytest.fixture
def space():
    space = f.MakerspaceFactory(with_hours=False, timezone="Asia/Kolkata")
    for day in range(7):
        f.OpeningHoursFactory(makerspace=space, weekday=day, opens=time(9), closes=time(13))
        f.OpeningHoursFactory(makerspace=space, weekday=day, opens=time(14), closes=time(18))
    return space


def test_free_slots_are_opening_minus_busy(space, client_for):
    machine = f.EquipmentFactory(makerspace=space)
    tz = space.tzinfo
    day = timezone.now().astimezone(tz).date() + timedelta(days=3)
    at = lambda h: datetime.combine(day, time(h), tzinfo=tz)  # noqa: E731
    f.ReservationFactory(equipment=machine, starts_at=at(10), ends_at=at(11))
    f.ReservationFactory(equipment=machine, starts_at=at(15), ends_at=at(16), status="cancelled")
    f.MaintenanceWindowFactory(equipment=machine, starts_at=at(16), ends_at=at(17))
    client = member_of(space, client_for)
    response = client.get(url(machine), {"date": day.isoformat()})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["timezone"] == "Asia/Kolkata" and data["closed"] is False
    free = [(datetime.fromisoformat(i["starts_at"]), datetime.fromisoformat(i["ends_at"])) for i in data["free"]]
    assert free == [(at(9), at(10)), (at(11), at(13)), (at(14), at(16)), (at(17), at(18))]
    assert [b["kind"] for b in data["busy"]] == ["reservation", "maintenance"]


def test_closure_day_has_no_free_slots(space, client_for):
    machine = f.EquipmentFactory(makerspace=space)
    day = timezone.now().date() + timedelta(days=5)
    f.ClosureFactory(makerspace=space, starts_on=day, ends_on=day)
    data = member_of(space, client_for).get(url(machine), {"date": day.isoformat()}).json()
    assert data["closed"] is True and data["free"] == [] and data["opening"] == []


def test_dst_day_intervals_are_local():
    space = f.MakerspaceFactory(timezone="America/New_York")  # open 00:00–23:59 local
    machine = f.EquipmentFactory(makerspace=space)
    day = date(2026, 3, 8)  # clocks jump 02:00 → 03:00
    result = equipment_availability(equipment=machine, day=day, now=datetime(2026, 3, 1, tzinfo=UTC))
    (free,) = result.free
    assert free.ends_at.astimezone(UTC) - free.starts_at.astimezone(UTC) == timedelta(
        hours=22, minutes=59
    )  # 23-hour day
    assert (
        free.starts_at.isoformat() == "2026-03-08T00:00:00-05:00"
        and free.ends_at.isoformat() == "2026-03-08T23:59:00-04:00"
    )


def test_bad_dates_are_400(space, client_for):
    machine = f.EquipmentFactory(makerspace=space)
    client = member_of(space, client_for)
    assert client.get(url(machine)).status_code == 400
    assert client.get(url(machine), {"date": "2026-02-30"}).status_code == 400
    assert client.get(url(machine), {"date": "x\x00"}).status_code == 400
    assert client.get("/api/v1/makerspace/equipment/999999/availability/", {"date": "2026-12-01"}).status_code == 404


def test_query_count_does_not_grow_with_reservations(space, client_for, django_assert_max_num_queries):
    machine = f.EquipmentFactory(makerspace=space)
    tz = space.tzinfo
    day = timezone.now().astimezone(tz).date() + timedelta(days=3)
    client = member_of(space, client_for)
    with django_assert_max_num_queries(8) as before:
        client.get(url(machine), {"date": day.isoformat()})
    for minute in range(0, 240, 5):
        start = datetime.combine(day, time(9), tzinfo=tz) + timedelta(minutes=minute)
        f.ReservationFactory(equipment=machine, starts_at=start, ends_at=start + timedelta(minutes=5))
    with django_assert_max_num_queries(len(before.captured_queries)):
        data = client.get(url(machine), {"date": day.isoformat()}).json()
    assert len(data["busy"]) == 48


def test_availability_is_for_members_and_staff_of_the_space(space, client_for):
    machine = f.EquipmentFactory(makerspace=space)
    day = (timezone.now() + timedelta(days=2)).date().isoformat()
    stranger = client_for().get(url(machine), {"date": day})
    other_staff = client_for(user=f.MemberFactory(role="staff").user).get(url(machine), {"date": day})
    assert stranger.status_code == 403 and stranger.json()["code"] == "not_makerspace_member"
    assert other_staff.status_code == 403
    assert member_of(space, client_for).get(url(machine), {"date": day}).status_code == 200
