"""Usage sessions: start/stop, access rules, one open session per machine, charging per started minute."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from makerspace.models import Equipment, Reservation, UsageSession
from makerspace.services.usage import usage_charge
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/api/v1/makerspace/usage-sessions/"


@pytest.fixture
def member(client_for):
    m = f.MemberFactory()
    m.client = client_for(user=m.user)
    return m


@pytest.fixture
def machine(member):
    return f.EquipmentFactory(makerspace=member.makerspace, hourly_rate=Decimal("250.00"))


def test_start_and_stop_charges_per_started_minute(member, machine):
    response = member.client.post(URL, {"equipment": machine.pk}, format="json")
    assert response.status_code == 201, response.json()
    session_id = response.json()["id"]
    assert Equipment.objects.get(pk=machine.pk).status == "in_use"
    UsageSession.objects.filter(pk=session_id).update(started_at=timezone.now() - timedelta(minutes=90, seconds=1))
    stopped = member.client.post(f"{URL}{session_id}/stop/", {}, format="json")
    assert stopped.status_code == 200
    data = stopped.json()
    assert data["duration_minutes"] == 91
    assert Decimal(data["amount"]) == Decimal("379.17") and data["currency"] == machine.currency
    assert Equipment.objects.get(pk=machine.pk).status == "available"
    again = member.client.post(f"{URL}{session_id}/stop/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_charge_rounding():
    assert usage_charge(hourly_rate=Decimal("100"), minutes=1) == Decimal("1.67")
    assert usage_charge(hourly_rate=Decimal("0"), minutes=60) == Decimal("0.00")


def test_one_open_session_per_machine(member, machine, client_for):
    assert member.client.post(URL, {"equipment": machine.pk}, format="json").status_code == 201
    other = f.MemberFactory(makerspace=machine.makerspace)
    response = client_for(user=other.user).post(URL, {"equipment": machine.pk}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "equipment_in_use"


def test_access_rules_apply(member, client_for):
    skill = f.SkillFactory(makerspace=member.makerspace)
    machine = f.EquipmentFactory(makerspace=member.makerspace, required_skills=[skill])
    assert member.client.post(URL, {"equipment": machine.pk}, format="json").json()["code"] == "skill_required"
    assert client_for().post(URL, {"equipment": machine.pk}, format="json").json()["code"] == "membership_inactive"
    machine.status = "maintenance"
    machine.save()
    assert member.client.post(URL, {"equipment": machine.pk}, format="json").json()["code"] == "equipment_unavailable"


def test_links_current_reservation_and_refuses_someone_elses(member, machine, client_for):
    now = timezone.now()
    reservation = f.ReservationFactory(
        equipment=machine, member=member, starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1)
    )
    other = f.MemberFactory(makerspace=machine.makerspace)
    taken = client_for(user=other.user).post(URL, {"equipment": machine.pk}, format="json")
    assert taken.status_code == 409 and taken.json()["code"] == "slot_taken"
    started = member.client.post(URL, {"equipment": machine.pk}, format="json").json()
    assert started["reservation"] == reservation.pk
    assert Reservation.objects.get(pk=reservation.pk).status == "checked_in"
    member.client.post(f"{URL}{started['id']}/stop/", {}, format="json")
    assert Reservation.objects.get(pk=reservation.pk).status == "completed"


def test_staff_start_for_member_and_list_scoping(member, machine, client_for, django_assert_max_num_queries):
    staff = client_for(user=f.MemberFactory(makerspace=machine.makerspace, role="staff").user)
    response = staff.post(URL, {"equipment": machine.pk, "member": member.pk}, format="json")
    assert response.status_code == 201 and response.json()["user"]["id"] == member.user.pk
    assert member.client.post(URL, {"equipment": machine.pk, "member": member.pk}, format="json").status_code in (
        403,
        409,
    )
    stranger = client_for()
    assert stranger.get(URL).json()["count"] == 0
    assert stranger.post(f"{URL}{response.json()['id']}/stop/").status_code == 404
    for _ in range(10):
        UsageSession.objects.create(
            equipment=f.EquipmentFactory(makerspace=machine.makerspace),
            user=member.user,
            member=member,
            started_at=timezone.now() - timedelta(hours=1),
            ended_at=timezone.now(),
        )
    with django_assert_max_num_queries(6) as small:
        assert staff.get(URL, {"page_size": 1}).json()["count"] == 11
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(staff.get(URL, {"page_size": 100}).json()["results"]) == 11
    assert member.client.get(URL, {"open": "true"}).json()["count"] == 1


def test_bad_input(member):
    assert member.client.post(URL, {"equipment": "x"}, format="json").status_code == 400
    assert member.client.post(URL, {"equipment": 999999}, format="json").status_code == 400
    assert member.client.post(URL, "{", content_type="application/json").status_code == 400
