"""The access function's table of cases, run against reservations AND usage sessions (and every booking path)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from makerspace.models import Reservation, UsageSession, WaitlistEntry
from makerspace.services import recurring, waitlist
from makerspace.services.reservations import reservation_cancel, reservation_create
from makerspace.services.usage import usage_session_start
from makerspace.tests import factories as f
from makrx.errors import ConflictError

pytestmark = pytest.mark.django_db


def slot(days=2, hour=10, hours=1):
    start = (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=hours)


# (id, skill held, gate, member plan, minimum plan set, staffed_hours_only, inside staffed hours, role,
#  expected code or None, expected flagged)
CASES = [
    ("all-clear", True, "block", "pro", True, True, True, "member", None, False),
    ("no-plan-no-skill", False, "block", None, False, False, False, "member", "skill_required", False),
    ("skill-missing-block", False, "block", "pro", False, False, True, "member", "skill_required", False),
    ("skill-missing-warn", False, "warn", "pro", False, False, True, "member", None, True),
    ("skill-missing-log-only", False, "log_only", "pro", False, False, True, "member", None, False),
    ("warn-still-needs-plan", False, "warn", "basic", True, False, True, "member", "plan_required", False),
    ("no-plan-minimum", True, "block", None, True, False, True, "member", "plan_required", False),
    ("plan-below-minimum", True, "block", "basic", True, False, True, "member", "plan_required", False),
    ("plan-above-minimum", True, "block", "premium", True, False, True, "member", None, False),
    ("outside-staffed", True, "block", "pro", False, True, False, "member", "outside_staffed_hours", False),
    ("inside-staffed", True, "block", "pro", False, True, True, "member", None, False),
    ("staff-exempt-plan-hours", True, "block", None, True, True, False, "staff", None, False),
    ("staff-need-skills", False, "block", None, False, False, True, "staff", "skill_required", False),
    ("staff-warn", False, "warn", None, False, True, False, "staff", None, True),
]


def setup_case(*, held, gate, plan, minimum, staffed_only, inside, role, at):
    space = f.MakerspaceFactory()
    skill = f.SkillFactory(makerspace=space, name="Laser safety")
    plans = {
        name: f.MembershipPlanFactory(makerspace=space, name=name, price=Decimal(price))
        for name, price in (("basic", "500"), ("pro", "1500"), ("premium", "3000"))
    }
    weekday = at.weekday() if inside else (at.weekday() + 3) % 7
    machine = f.EquipmentFactory(
        makerspace=space,
        required_skills=[skill],
        skill_gate=gate,
        minimum_plan=plans["pro"] if minimum else None,
        staffed_hours_only=staffed_only,
        staffed_hours=[{"weekday": weekday, "opens": "00:00", "closes": "23:59"}],
    )
    member = f.MemberFactory(makerspace=space, role=role, plan=plans[plan] if plan else None)
    if held:
        f.MemberSkillFactory(member=member, skill=skill)
    return machine, member


def book(machine, member):
    start, end = slot()
    return reservation_create(actor=member.user, equipment=machine, starts_at=start, ends_at=end)


def use(machine, member):
    return usage_session_start(actor=member.user, equipment=machine)


@pytest.mark.parametrize("target", ["reservation", "usage_session"])
@pytest.mark.parametrize(
    ("held", "gate", "plan", "minimum", "staffed_only", "inside", "role", "code", "flagged"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_access_table(target, held, gate, plan, minimum, staffed_only, inside, role, code, flagged, caplog):
    at = slot()[0] if target == "reservation" else timezone.now()
    if target == "usage_session" and at.hour == 23 and at.minute == 59:
        at = at + timedelta(minutes=1)  # the staffed interval closes at 23:59
    machine, member = setup_case(
        held=held, gate=gate, plan=plan, minimum=minimum, staffed_only=staffed_only, inside=inside, role=role, at=at
    )
    act, model = (book, Reservation) if target == "reservation" else (use, UsageSession)
    if code is not None:
        with pytest.raises(ConflictError) as caught:
            act(machine, member)
        assert caught.value.code == code
        assert not model.objects.filter(equipment=machine).exists()
        return
    with caplog.at_level("WARNING", logger="makerspace.access"):
        row = act(machine, member)
    row.refresh_from_db()
    assert row.access_flagged is flagged
    assert ("skill_required" in row.access_warning) is flagged
    passed_a_gate = not held
    assert any(r.name == "makerspace.access" for r in caplog.records) is passed_a_gate


def warn_machine_and_member():
    machine, member = setup_case(
        held=False, gate="warn", plan=None, minimum=False, staffed_only=False, inside=True, role="member", at=slot()[0]
    )
    return machine, member


def test_staff_booking_for_a_member_goes_through_the_member_access_rules():
    machine, member = warn_machine_and_member()
    staff = f.MemberFactory(makerspace=machine.makerspace, role="staff")
    start, end = slot()
    reservation = reservation_create(actor=staff.user, equipment=machine, starts_at=start, ends_at=end, member=member)
    assert reservation.access_flagged and "Laser safety" in reservation.access_warning
    machine.skill_gate = "block"
    machine.save(update_fields=["skill_gate"])
    with pytest.raises(ConflictError) as caught:
        reservation_create(
            actor=staff.user, equipment=machine, starts_at=end, ends_at=end + timedelta(hours=1), member=member
        )
    assert caught.value.code == "skill_required"


def test_recurring_series_flags_every_occurrence_or_refuses_all():
    machine, member = warn_machine_and_member()
    start, end = slot()
    _series, rows = recurring.reservation_series_create(
        actor=member.user, equipment=machine, starts_at=start, ends_at=end, every="day", count=3
    )
    assert len(rows) == 3 and all(r.access_flagged for r in rows)
    machine.skill_gate = "block"
    machine.save(update_fields=["skill_gate"])
    with pytest.raises(ConflictError):
        recurring.reservation_series_create(
            actor=member.user,
            equipment=machine,
            starts_at=start + timedelta(days=10),
            ends_at=end + timedelta(days=10),
            every="day",
            count=2,
        )
    assert Reservation.objects.filter(equipment=machine).count() == 3


def test_waitlist_claim_goes_through_the_access_rules():
    machine, member = warn_machine_and_member()
    holder = f.MemberFactory(makerspace=machine.makerspace)
    f.MemberSkillFactory(member=holder, skill=machine.required_skills.get())
    start, end = slot()
    taken = reservation_create(actor=holder.user, equipment=machine, starts_at=start, ends_at=end)
    entry = waitlist.waitlist_join(actor=member.user, equipment=machine, starts_at=start, ends_at=end)
    reservation_cancel(reservation=taken, actor=holder.user)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    machine.skill_gate = "block"
    machine.save(update_fields=["skill_gate"])
    with pytest.raises(ConflictError) as caught:
        waitlist.waitlist_claim(entry=entry, actor=member.user)
    assert caught.value.code == "skill_required"
    machine.skill_gate = "warn"
    machine.save(update_fields=["skill_gate"])
    claimed = waitlist.waitlist_claim(entry=entry, actor=member.user)
    assert claimed.access_flagged


def test_flag_is_shown_in_the_api(client_for):
    machine, member = warn_machine_and_member()
    client = client_for(user=member.user)
    start, end = slot()
    body = {"equipment": machine.pk, "starts_at": start.isoformat(), "ends_at": end.isoformat()}
    response = client.post("/api/v1/makerspace/reservations/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["access_flagged"] is True
    assert "skill_required" in response.json()["access_warning"]
    session = client.post("/api/v1/makerspace/usage-sessions/", {"equipment": machine.pk}, format="json")
    assert session.status_code == 201, session.json()
    assert session.json()["access_flagged"] is True


def test_new_codes_answer_409_in_the_api(client_for):
    machine, member = setup_case(
        held=True,
        gate="block",
        plan="basic",
        minimum=True,
        staffed_only=False,
        inside=True,
        role="member",
        at=slot()[0],
    )
    client = client_for(user=member.user)
    start, end = slot()
    body = {"equipment": machine.pk, "starts_at": start.isoformat(), "ends_at": end.isoformat()}
    response = client.post("/api/v1/makerspace/reservations/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "plan_required")


def test_minimum_plan_of_another_makerspace_is_refused(client_for):
    manager = f.MemberFactory(role="manager")
    machine = f.EquipmentFactory(makerspace=manager.makerspace)
    foreign = f.MembershipPlanFactory()
    client = client_for(user=manager.user)
    response = client.patch(
        f"/api/v1/makerspace/equipment/{machine.pk}/", {"minimum_plan": foreign.pk, "skill_gate": "warn"}, format="json"
    )
    assert response.status_code == 400, response.json()
    own = f.MembershipPlanFactory(makerspace=manager.makerspace)
    response = client.patch(
        f"/api/v1/makerspace/equipment/{machine.pk}/",
        {"minimum_plan": own.pk, "skill_gate": "warn", "staffed_hours_only": True},
        format="json",
    )
    assert response.status_code == 200, response.json()
    machine.refresh_from_db()
    assert (machine.minimum_plan_id, machine.skill_gate, machine.staffed_hours_only) == (own.pk, "warn", True)
