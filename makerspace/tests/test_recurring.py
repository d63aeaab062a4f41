"""Recurring bookings: a series is booked all or none, a refusal names every conflicting date, the rest of a
series is cancelled in one call, and the local wall-clock time survives a daylight-saving change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from makerspace.models import Reservation, ReservationSeries
from makerspace.services.recurring import occurrences, reservation_series_create
from makerspace.tests import factories as f
from makrx.errors import ConflictError, ValidationError

pytestmark = pytest.mark.django_db
URL = "/api/v1/makerspace/reservations/"


def slot(days=2, hour=10, hours=1):
    start = (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=hours)


@pytest.fixture
def member():
    return f.MemberFactory()


@pytest.fixture
def machine(member):
    return f.EquipmentFactory(makerspace=member.makerspace)


def body(machine, start, end, **extra):
    return {"equipment": machine.pk, "starts_at": start.isoformat(), "ends_at": end.isoformat(), **extra}


def test_a_weekly_series_is_booked_together(client_for, member, machine):
    start, end = slot()
    response = client_for(user=member.user).post(
        URL, body(machine, start, end, repeat={"every": "week", "count": 4}), format="json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["every"], data["count"], len(data["reservations"])) == ("week", 4, 4)
    starts = [r.starts_at for r in Reservation.objects.filter(series_id=data["series"]).order_by("starts_at")]
    assert starts == [start + timedelta(weeks=i) for i in range(4)]


def test_every_conflicting_date_is_named_and_nothing_is_booked(client_for, member, machine):
    start, end = slot()
    other = f.MemberFactory(makerspace=member.makerspace)
    for week in (1, 3):
        f.ReservationFactory(
            equipment=machine,
            member=other,
            starts_at=start + timedelta(weeks=week),
            ends_at=end + timedelta(weeks=week),
        )
    response = client_for(user=member.user).post(
        URL, body(machine, start, end, repeat={"every": "week", "count": 5}), format="json"
    )
    assert response.status_code == 409, response.json()
    data = response.json()
    assert data["code"] == "slot_taken"
    assert sorted(data["errors"]) == [(start + timedelta(weeks=w)).date().isoformat() for w in (1, 3)]
    assert not Reservation.objects.filter(member=member).exists()
    assert not ReservationSeries.objects.exists()


def test_plan_limits_count_the_series_own_occurrences(member, machine):
    plan = f.MembershipPlanFactory(makerspace=member.makerspace, max_reservations_per_week=1)
    member.plan = plan
    member.save()
    start, end = slot()
    with pytest.raises(ConflictError) as caught:
        reservation_series_create(
            actor=member.user, equipment=machine, starts_at=start, ends_at=end, every="day", count=8
        )
    assert caught.value.code == "plan_limit" and len(caught.value.errors) >= 1
    assert not Reservation.objects.exists()
    series, booked = reservation_series_create(
        actor=member.user, equipment=machine, starts_at=start, ends_at=end, every="week", count=3
    )
    assert len(booked) == 3 and {r.series_id for r in booked} == {series.pk}


def test_until_bounds_the_series(member, machine):
    start, end = slot()
    series, booked = reservation_series_create(
        actor=member.user,
        equipment=machine,
        starts_at=start,
        ends_at=end,
        every="day",
        until=(start + timedelta(days=2)).date(),
    )
    assert series.count == 3 == len(booked)


@pytest.mark.parametrize(
    "repeat",
    [
        {"every": "month", "count": 2},
        {"every": "week"},
        {"every": "week", "count": 2, "until": "2031-01-01"},
        {"every": "week", "count": 1},
        {"every": "week", "count": 53},
        {"every": "week", "until": "1999-01-01"},
    ],
)
def test_bad_repeat_is_400(client_for, member, machine, repeat):
    start, end = slot()
    response = client_for(user=member.user).post(URL, body(machine, start, end, repeat=repeat), format="json")
    assert response.status_code == 400, response.json()
    assert not Reservation.objects.exists()


def test_a_series_beyond_the_booking_horizon_names_the_dates(member, machine):
    start, end = slot(days=340)
    with pytest.raises(ValidationError) as caught:
        reservation_series_create(
            actor=member.user, equipment=machine, starts_at=start, ends_at=end, every="week", count=8
        )
    assert len(caught.value.errors) >= 1
    assert not Reservation.objects.exists()


def test_cancel_this_and_the_following_occurrences(client_for, member, machine):
    start, end = slot()
    _, booked = reservation_series_create(
        actor=member.user, equipment=machine, starts_at=start, ends_at=end, every="week", count=4
    )
    client = client_for(user=member.user)
    response = client.post(f"{URL}{booked[1].pk}/cancel/", {"scope": "following"}, format="json")
    assert response.status_code == 200, response.json()
    statuses = list(
        Reservation.objects.filter(series=booked[0].series).order_by("starts_at").values_list("status", flat=True)
    )
    assert statuses == ["confirmed", "cancelled", "cancelled", "cancelled"]
    one = client.post(f"{URL}{booked[0].pk}/cancel/", {}, format="json")
    assert one.status_code == 200 and one.json()["status"] == "cancelled"


def test_following_needs_a_series(client_for, member, machine):
    start, end = slot()
    single = f.ReservationFactory(equipment=machine, member=member, starts_at=start, ends_at=end)
    response = client_for(user=member.user).post(f"{URL}{single.pk}/cancel/", {"scope": "following"}, format="json")
    assert response.status_code == 400


def test_local_time_survives_a_daylight_saving_change():
    space = f.MakerspaceFactory(timezone="Europe/Berlin")
    machine = f.EquipmentFactory(makerspace=space)
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2031, 3, 20, 18, 0, tzinfo=berlin)  # clocks go forward on 30 March 2031
    ranges = occurrences(equipment=machine, starts_at=start, ends_at=start + timedelta(hours=1), every="week", count=3)
    assert [(s.astimezone(berlin).hour, e.astimezone(berlin).hour) for s, e in ranges] == [(18, 19)] * 3
    # Seven calendar days apart, but one hour less of real time across the change.
    assert ranges[2][0].astimezone(UTC) - ranges[1][0].astimezone(UTC) == timedelta(weeks=1) - timedelta(hours=1)
