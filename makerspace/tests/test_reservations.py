"""Reservations through the API and the service: each rule with its own code, overlaps, tenants, lists."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from makerspace.models import Reservation
from makerspace.services.reservations import reservation_create
from makerspace.tests import factories as f
from makrx.errors import ConflictError, ValidationError

pytestmark = pytest.mark.django_db
URL = "/api/v1/makerspace/reservations/"


def slot(days=2, hour=10, hours=1):
    start = (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=hours)


def body(equipment, start, end, **extra):
    return {"equipment": equipment.pk, "starts_at": start.isoformat(), "ends_at": end.isoformat(), **extra}


@pytest.fixture
def member(client_for):
    m = f.MemberFactory()
    m.client = client_for(user=m.user)
    return m


@pytest.fixture
def machine(member):
    return f.EquipmentFactory(makerspace=member.makerspace)


def test_member_books_a_machine(member, machine):
    start, end = slot()
    response = member.client.post(URL, body(machine, start, end), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "confirmed" and data["member"] == member.pk and data["user"]["id"] == member.user.pk
    assert Reservation.objects.get(pk=data["id"]).created_by == member.user


@pytest.mark.parametrize(
    "shift",
    [
        (timedelta(minutes=15), timedelta(minutes=-15)),  # inside
        (timedelta(minutes=-15), timedelta(minutes=15)),  # covering
        (timedelta(minutes=-30), timedelta(minutes=-30)),  # left overlap
        (timedelta(minutes=30), timedelta(minutes=30)),  # right overlap
    ],
    ids=["inside", "covering", "left", "right"],
)
def test_overlap_shapes_are_slot_taken(member, machine, shift):
    start, end = slot()
    f.ReservationFactory(equipment=machine, starts_at=start, ends_at=end)
    response = member.client.post(URL, body(machine, start + shift[0], end + shift[1]), format="json")
    assert response.status_code == 409 and response.json()["code"] == "slot_taken"


def test_touching_ranges_are_allowed(member, machine):
    start, end = slot()
    f.ReservationFactory(equipment=machine, starts_at=start, ends_at=end)
    before = member.client.post(URL, body(machine, start - timedelta(hours=1), start), format="json")
    after = member.client.post(URL, body(machine, end, end + timedelta(hours=1)), format="json")
    assert before.status_code == 201 and after.status_code == 201


def test_cancelled_reservation_frees_the_slot(member, machine):
    start, end = slot()
    f.ReservationFactory(equipment=machine, starts_at=start, ends_at=end, status="cancelled")
    assert member.client.post(URL, body(machine, start, end), format="json").status_code == 201


def test_exclusion_constraint_maps_to_slot_taken(member, machine, django_db_blocker):
    """Bypass the service's own check: the database constraint still refuses, as slot_taken."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("constraint exists on PostgreSQL only")
    start, end = slot()
    f.ReservationFactory(equipment=machine, starts_at=start, ends_at=end)
    from unittest import mock

    from makerspace.services import reservations as svc

    with mock.patch.object(svc, "overlapping_reservations") as overlapping:
        overlapping.return_value.exists.return_value = False
        with pytest.raises(ConflictError) as exc:
            reservation_create(actor=member.user, equipment=machine, starts_at=start, ends_at=end)
    assert exc.value.code == "slot_taken"
    assert Reservation.objects.filter(equipment=machine).count() == 1


@pytest.mark.parametrize("status", ["offline", "maintenance"])
def test_equipment_unavailable(member, machine, status):
    machine.status = status
    machine.save()
    start, end = slot()
    response = member.client.post(URL, body(machine, start, end), format="json")
    assert response.status_code == 409 and response.json()["code"] == "equipment_unavailable"


def test_inactive_machine_is_unavailable(member, machine):
    machine.active = False
    machine.save()
    start, end = slot()
    assert member.client.post(URL, body(machine, start, end), format="json").json()["code"] == "equipment_unavailable"


def test_membership_inactive(client_for, machine):
    suspended = f.MemberFactory(makerspace=machine.makerspace, status="suspended")
    start, end = slot()
    response = client_for(user=suspended.user).post(URL, body(machine, start, end), format="json")
    assert response.status_code == 409 and response.json()["code"] == "membership_inactive"
    stranger = client_for()
    assert stranger.post(URL, body(machine, start, end), format="json").json()["code"] == "membership_inactive"


def test_skill_required(member):
    skill = f.SkillFactory(makerspace=member.makerspace)
    machine = f.EquipmentFactory(makerspace=member.makerspace, required_skills=[skill])
    start, end = slot()
    response = member.client.post(URL, body(machine, start, end), format="json")
    assert response.status_code == 409 and response.json()["code"] == "skill_required"
    f.MemberSkillFactory(member=member, skill=skill)
    assert member.client.post(URL, body(machine, start, end), format="json").status_code == 201


def test_plan_type_not_covered(member, machine):
    member.plan = f.MembershipPlanFactory(makerspace=member.makerspace, equipment_types=["laser_cutter"])
    member.save()
    start, end = slot()
    assert member.client.post(URL, body(machine, start, end), format="json").json()["code"] == "plan_limit"


def test_plan_max_length(member, machine):
    member.plan = f.MembershipPlanFactory(makerspace=member.makerspace, max_reservation_minutes=60)
    member.save()
    start, end = slot(hours=2)
    response = member.client.post(URL, body(machine, start, end), format="json")
    assert response.status_code == 409 and response.json()["code"] == "plan_limit"
    start, end = slot(hours=1)
    assert member.client.post(URL, body(machine, start, end), format="json").status_code == 201


def test_plan_reservations_per_week(member, machine):
    member.plan = f.MembershipPlanFactory(makerspace=member.makerspace, max_reservations_per_week=2)
    member.save()
    # A Wednesday two weeks ahead: the whole Mon–Sun week is ahead of us.
    base = timezone.now() + timedelta(days=14)
    wednesday = (base - timedelta(days=base.weekday() - 2)).replace(hour=10, minute=0, second=0, microsecond=0)
    for hour in (10, 12):
        start = wednesday.replace(hour=hour)
        assert (
            member.client.post(URL, body(machine, start, start + timedelta(hours=1)), format="json").status_code == 201
        )
    third = wednesday.replace(hour=14)
    response = member.client.post(URL, body(machine, third, third + timedelta(hours=1)), format="json")
    assert response.status_code == 409 and response.json()["code"] == "plan_limit"
    next_week = third + timedelta(days=7)
    assert (
        member.client.post(URL, body(machine, next_week, next_week + timedelta(hours=1)), format="json").status_code
        == 201
    )


def test_outside_opening_hours_and_closures(client_for):
    space = f.MakerspaceFactory(with_hours=False, timezone="Asia/Kolkata")
    for day in range(7):
        f.OpeningHoursFactory(makerspace=space, weekday=day, opens=time(9), closes=time(18))
    member = f.MemberFactory(makerspace=space)
    machine = f.EquipmentFactory(makerspace=space)
    client = client_for(user=member.user)
    day = timezone.now().astimezone(space.tzinfo).date() + timedelta(days=3)
    local = lambda h, m=0: datetime.combine(day, time(h, m), tzinfo=space.tzinfo)  # noqa: E731
    late = client.post(URL, body(machine, local(17), local(19)), format="json")
    assert late.status_code == 409 and late.json()["code"] == "outside_opening_hours"
    early = client.post(URL, body(machine, local(8, 30), local(9, 30)), format="json")
    assert early.json()["code"] == "outside_opening_hours"
    assert client.post(URL, body(machine, local(9), local(18)), format="json").status_code == 201
    f.ClosureFactory(makerspace=space, starts_on=day + timedelta(days=1), ends_on=day + timedelta(days=1))
    closed = client.post(
        URL, body(machine, local(10) + timedelta(days=1), local(11) + timedelta(days=1)), format="json"
    )
    assert closed.json()["code"] == "outside_opening_hours"


def test_booking_across_dst_change_uses_local_wall_clock(client_for):
    """Europe/Berlin springs forward on 2026-03-29 (02:00 → 03:00); opening hours are local wall-clock times."""
    space = f.MakerspaceFactory(with_hours=False, timezone="Europe/Berlin")
    for day in range(7):
        f.OpeningHoursFactory(makerspace=space, weekday=day, opens=time(1), closes=time(9))
    member = f.MemberFactory(makerspace=space)
    machine = f.EquipmentFactory(makerspace=space)
    berlin = space.tzinfo
    # 01:00 CET (00:00 UTC) to 04:00 CEST (02:00 UTC): two real hours, inside 01:00–09:00 local.
    start, end = datetime(2026, 3, 29, 0, 0, tzinfo=UTC), datetime(2026, 3, 29, 2, 0, tzinfo=UTC)
    assert start.astimezone(berlin).hour == 1 and end.astimezone(berlin).hour == 4
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: datetime(2026, 3, 1, tzinfo=UTC))
        reservation = reservation_create(actor=member.user, equipment=machine, starts_at=start, ends_at=end)
        assert reservation.ends_at - reservation.starts_at == timedelta(hours=2)
        # 08:00–09:00 local is 07:00–08:00 UTC after the change but would be 08:00–09:00 UTC before it:
        # the same UTC range 07:00–09:00 ends at 11:00 local (closed) after the change.
        with pytest.raises(ConflictError) as exc:
            reservation_create(
                actor=member.user,
                equipment=machine,
                starts_at=datetime(2026, 3, 29, 7, 0, tzinfo=UTC),
                ends_at=datetime(2026, 3, 29, 8, 0, tzinfo=UTC),
            )
        assert exc.value.code == "outside_opening_hours"
        # The day before (CET, UTC+1) the same UTC hour 07:00–08:00 is 08:00–09:00 local: open.
        reservation_create(
            actor=member.user,
            equipment=machine,
            starts_at=datetime(2026, 3, 28, 7, 0, tzinfo=UTC),
            ends_at=datetime(2026, 3, 28, 8, 0, tzinfo=UTC),
        )


def test_maintenance_window_blocks(member, machine):
    start, end = slot()
    f.MaintenanceWindowFactory(
        equipment=machine, starts_at=start + timedelta(minutes=30), ends_at=end + timedelta(hours=1)
    )
    response = member.client.post(URL, body(machine, start, end), format="json")
    assert response.status_code == 409 and response.json()["code"] == "maintenance_window"


def test_check_order_membership_before_hours(client_for, machine):
    """A stranger asking for a closed time hears about the membership first."""
    start = (timezone.now() + timedelta(days=2)).replace(hour=23, minute=30, second=0, microsecond=0)
    response = client_for().post(URL, body(machine, start, start + timedelta(hours=1)), format="json")
    assert response.json()["code"] == "membership_inactive"


@pytest.mark.parametrize(
    "payload",
    [
        {"starts_at": "2030-01-01T10:00:00", "ends_at": "2030-01-01T11:00:00"},  # naive
        {"starts_at": "2030-01-01T11:00:00Z", "ends_at": "2030-01-01T10:00:00Z"},  # backwards
        {"starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T10:00:00Z"},  # empty
        {"starts_at": "2020-01-01T10:00:00Z", "ends_at": "2020-01-01T11:00:00Z"},  # past
        {"starts_at": "2027-01-01T10:00:00Z", "ends_at": "2027-01-05T10:00:00Z"},  # absurd length
        {"starts_at": "2099-01-01T10:00:00Z", "ends_at": "2099-01-01T11:00:00Z"},  # too far ahead
        {"starts_at": "soon", "ends_at": 5},
        {"starts_at": None},
        {"starts_at": "2030-01-01T10:00:00\x00Z", "ends_at": "2030-01-01T11:00:00Z"},
    ],
)
def test_bad_ranges_are_400(member, machine, payload):
    response = member.client.post(URL, {"equipment": machine.pk, **payload}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize("payload", [{"equipment": "x"}, {"equipment": 2**70}, {"equipment": 999999}, [], "x"])
def test_hostile_bodies_are_400(member, payload):
    start, end = slot()
    data = (
        {"starts_at": start.isoformat(), "ends_at": end.isoformat(), **payload}
        if isinstance(payload, dict)
        else payload
    )
    response = member.client.post(URL, data, format="json")
    assert response.status_code == 400


def test_malformed_json_is_400(member):
    response = member.client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400 and "code" in response.json()


def test_service_refuses_naive_datetimes(member, machine):
    with pytest.raises(ValidationError):
        reservation_create(
            actor=member.user, equipment=machine, starts_at=datetime(2030, 1, 1, 10), ends_at=datetime(2030, 1, 1, 11)
        )


def test_staff_book_for_a_member_and_members_cannot(member, machine, client_for):
    staff = f.MemberFactory(makerspace=machine.makerspace, role="staff")
    other = f.MemberFactory(makerspace=machine.makerspace)
    start, end = slot()
    response = client_for(user=staff.user).post(URL, body(machine, start, end, member=other.pk), format="json")
    assert response.status_code == 201
    data = response.json()
    assert (
        data["member"] == other.pk and data["user"]["id"] == other.user.pk and data["created_by"]["id"] == staff.user.pk
    )
    start2, end2 = slot(hour=13)
    refused = member.client.post(URL, body(machine, start2, end2, member=other.pk), format="json")
    assert refused.status_code == 403


def test_platform_admin_books_without_membership(client_for, machine):
    admin = client_for(roles=["admin"])
    start, end = slot()
    response = admin.post(URL, body(machine, start, end), format="json")
    assert response.status_code == 201
    assert response.json()["member"] is None and response.json()["user"]["id"] == admin.user.pk


def test_cancel_own_until_cutoff(member, machine):
    start, end = slot()
    reservation = f.ReservationFactory(equipment=machine, member=member, starts_at=start, ends_at=end)
    response = member.client.post(f"{URL}{reservation.pk}/cancel/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = member.client.post(f"{URL}{reservation.pk}/cancel/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    soon = timezone.now() + timedelta(minutes=30)
    late = f.ReservationFactory(equipment=machine, member=member, starts_at=soon, ends_at=soon + timedelta(hours=1))
    refused = member.client.post(f"{URL}{late.pk}/cancel/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "cancellation_cutoff"


def test_staff_cancel_with_reason_and_others_cannot_see(member, machine, client_for):
    start, end = slot()
    reservation = f.ReservationFactory(equipment=machine, member=member, starts_at=start, ends_at=end)
    other_member = f.MemberFactory(makerspace=machine.makerspace)
    assert client_for(user=other_member.user).post(f"{URL}{reservation.pk}/cancel/", {}).status_code == 404
    staff = client_for(user=f.MemberFactory(makerspace=machine.makerspace, role="staff").user)
    assert staff.post(f"{URL}{reservation.pk}/cancel/", {}, format="json").status_code == 400
    response = staff.post(f"{URL}{reservation.pk}/cancel/", {"reason": "Machine needed for a class"}, format="json")
    assert response.status_code == 200 and response.json()["cancel_reason"] == "Machine needed for a class"


def test_check_in_no_show_complete(member, machine, client_for):
    staff = client_for(user=f.MemberFactory(makerspace=machine.makerspace, role="staff").user)
    now = timezone.now()
    current = f.ReservationFactory(
        equipment=machine, member=member, starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(minutes=50)
    )
    assert member.client.post(f"{URL}{current.pk}/check-in/").status_code == 403
    assert staff.post(f"{URL}{current.pk}/complete/").json()["code"] == "invalid_transition"
    assert staff.post(f"{URL}{current.pk}/check-in/").json()["status"] == "checked_in"
    assert staff.post(f"{URL}{current.pk}/no-show/").json()["code"] == "invalid_transition"
    assert staff.post(f"{URL}{current.pk}/complete/").json()["status"] == "completed"
    future = f.ReservationFactory(equipment=machine, member=member, starts_at=now + timedelta(days=1, hours=2))
    assert staff.post(f"{URL}{future.pk}/no-show/").json()["code"] == "invalid_transition"
    assert staff.post(f"{URL}{future.pk}/check-in/").json()["code"] == "invalid_transition"
    missed = Reservation.objects.create(
        equipment=machine,
        member=member,
        user=member.user,
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=2),
    )
    assert staff.post(f"{URL}{missed.pk}/no-show/").json()["status"] == "no_show"


def test_tenant_isolation(client_for):
    space_a, space_b = f.MakerspaceFactory(), f.MakerspaceFactory()
    staff_a = client_for(user=f.MemberFactory(makerspace=space_a, role="manager").user)
    reservation_b = f.ReservationFactory(equipment=f.EquipmentFactory(makerspace=space_b))
    reservation_a = f.ReservationFactory(equipment=f.EquipmentFactory(makerspace=space_a))
    ids = [r["id"] for r in staff_a.get(URL).json()["results"]]
    assert ids == [reservation_a.pk]
    assert staff_a.get(f"{URL}{reservation_b.pk}/").status_code == 404
    assert staff_a.post(f"{URL}{reservation_b.pk}/cancel/", {"reason": "x"}).status_code == 404
    start, end = slot()
    booking_b = staff_a.post(
        URL, body(reservation_b.equipment, start, end, member=reservation_b.member_id), format="json"
    )
    assert booking_b.status_code == 403


def test_member_sees_only_own_and_filters(member, machine, client_for):
    mine = f.ReservationFactory(equipment=machine, member=member)
    f.ReservationFactory(equipment=machine, starts_at=mine.ends_at, ends_at=mine.ends_at + timedelta(hours=1))
    data = member.client.get(URL).json()
    assert [r["id"] for r in data["results"]] == [mine.pk]
    assert member.client.get(URL, {"status": "cancelled"}).json()["count"] == 0
    assert member.client.get(URL, {"equipment": machine.pk}).json()["count"] == 1
    assert member.client.get(URL, {"starts_after": mine.ends_at.isoformat()}).json()["count"] == 0
    assert member.client.get(URL, {"status": "bogus"}).status_code == 400
    assert member.client.get(URL, {"starts_after": "yesterday"}).status_code == 400


def test_list_query_count_is_fixed(client_for, django_assert_max_num_queries):
    space = f.MakerspaceFactory()
    staff = client_for(user=f.MemberFactory(makerspace=space, role="staff").user)
    machine = f.EquipmentFactory(makerspace=space)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    for i in range(30):
        f.ReservationFactory(
            equipment=machine, starts_at=start + timedelta(hours=i), ends_at=start + timedelta(hours=i + 1)
        )
    with django_assert_max_num_queries(6) as small:
        assert staff.get(URL, {"page_size": 1}).status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        assert len(staff.get(URL, {"page_size": 100}).json()["results"]) == 30
    assert len(large.captured_queries) == len(small.captured_queries)


def test_unauthenticated_is_401(api_client):
    assert api_client.get(URL).status_code == 401
