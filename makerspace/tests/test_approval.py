"""Approval: pending bookings hold their slot, staff approve or reject them, undecided ones are released on time;
supervisors, emergency displacement, the history of every change, notifications and reminders."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from makerspace import tasks
from makerspace.models import Equipment, Reservation, ReservationEvent
from makerspace.services import approval
from makerspace.services.reservations import (
    reservation_cancel,
    reservation_check_in,
    reservation_create,
    reservation_reminders_send,
)
from makerspace.tests import factories as f
from makrx.errors import ConflictError, InvalidTransition, PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db
URL = "/api/v1/makerspace/reservations/"


def midday_zone() -> str:
    """A fixed-offset zone where it is about noon now, for tests that book from now on: a booking must fit in one
    local day, so one starting at 23:30 in the space's zone would be refused whatever the test is about."""
    offset = (12 - timezone.now().hour) % 24
    offset = offset - 24 if offset > 12 else offset
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"  # Etc/GMT-5 is UTC+5


def slot(days=2, hour=10, hours=1):
    start = (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=hours)


@pytest.fixture
def space():
    return f.MakerspaceFactory()


@pytest.fixture
def member(space):
    return f.MemberFactory(makerspace=space)


@pytest.fixture
def staff(space):
    return f.MemberFactory(makerspace=space, role="staff")


@pytest.fixture
def gated(space):
    return f.EquipmentFactory(makerspace=space, approval=Equipment.Approval.ALWAYS)


def book(member, machine, start=None, end=None, **kwargs):
    if start is None:
        start, end = slot()
    return reservation_create(actor=member.user, equipment=machine, starts_at=start, ends_at=end, **kwargs)


def kinds(reservation):
    return list(ReservationEvent.objects.filter(reservation=reservation).values_list("kind", flat=True))


def test_a_booking_that_needs_approval_is_pending_and_holds_its_slot(space, member, staff, gated):
    pending = book(member, gated)
    assert pending.status == "pending"
    other = f.MemberFactory(makerspace=space)
    with pytest.raises(ConflictError) as caught:
        book(other, gated, pending.starts_at + timedelta(minutes=30), pending.ends_at + timedelta(minutes=30))
    assert caught.value.code == "slot_taken"
    assert book(staff, gated, *slot(days=3)).status == "confirmed"  # staff bookings need no approval


def test_approval_above_a_price(space, member):
    machine = f.EquipmentFactory(
        makerspace=space, hourly_rate=Decimal("200"), approval="above_price", approval_price_threshold=Decimal("300")
    )
    assert book(member, machine, *slot(hours=1)).status == "confirmed"  # 200 ≤ 300
    assert book(member, machine, *slot(days=3, hours=2)).status == "pending"  # 400 > 300


def test_approval_outside_staffed_hours(space, member):
    start, end = slot(hour=10)
    weekday = start.weekday()
    machine = f.EquipmentFactory(
        makerspace=space,
        approval="outside_staffed",
        staffed_hours=[{"weekday": weekday, "opens": "09:00", "closes": "17:00"}],
    )
    assert book(member, machine, start, end).status == "confirmed"
    late_start = start.replace(hour=18)
    assert book(member, machine, late_start, late_start + timedelta(hours=1)).status == "pending"


def test_staff_approve_through_the_api(client_for, member, staff, gated, django_capture_on_commit_callbacks):
    pending = book(member, gated)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user=staff.user).post(f"{URL}{pending.pk}/approve/", {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "confirmed" and response.json()["decided_by"]["id"] == staff.user.pk
    assert kinds(pending) == ["created", "approved"]
    assert [m.to for m in mail.outbox] == [[member.user.email]] and "Approved" in mail.outbox[0].subject
    again = client_for(user=staff.user).post(f"{URL}{pending.pk}/approve/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")


def test_reject_needs_a_reason_and_frees_the_slot(client_for, space, member, staff, gated):
    pending = book(member, gated)
    client = client_for(user=staff.user)
    missing = client.post(f"{URL}{pending.pk}/reject/", {}, format="json")
    assert missing.status_code == 400
    response = client.post(f"{URL}{pending.pk}/reject/", {"reason": "Induction first"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert response.json()["decision_reason"] == "Induction first"
    other = f.MemberFactory(makerspace=space)
    assert book(other, gated, pending.starts_at, pending.ends_at).status == "pending"


def test_members_and_other_makerspaces_cannot_decide(client_for, member, gated):
    pending = book(member, gated)
    assert client_for(user=member.user).post(f"{URL}{pending.pk}/approve/", {}).status_code == 403
    outsider = f.MemberFactory(role="staff")
    assert client_for(user=outsider.user).post(f"{URL}{pending.pk}/approve/", {}).status_code == 404
    with pytest.raises(PermissionDenied):
        approval.reservation_reject(reservation=pending, actor=outsider.user, reason="no")
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_action_endpoints_answer_post_only(client_for, member, staff, gated):
    pending = book(member, gated)
    client = client_for(user=staff.user)
    for verb in ("approve", "reject"):
        assert client.get(f"{URL}{pending.pk}/{verb}/").status_code == 405
        assert client.patch(f"{URL}{pending.pk}/{verb}/", {}, format="json").status_code == 405


def test_undecided_bookings_are_released_on_time(settings, member, gated, django_capture_on_commit_callbacks):
    settings.MAKERSPACE_PENDING_RELEASE_MINUTES = 60
    soon = book(member, gated, *slot(days=2))
    later = book(member, gated, *slot(days=4))
    not_yet = soon.starts_at - timedelta(minutes=61)
    assert approval.reservations_release_due(now=not_yet) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert approval.reservations_release_due(now=soon.starts_at - timedelta(minutes=60)) == 1
    soon.refresh_from_db()
    later.refresh_from_db()
    assert (soon.status, soon.cancel_reason, later.status) == ("cancelled", "Not approved in time", "pending")
    assert kinds(soon) == ["created", "released"]
    assert "Cancelled" in mail.outbox[-1].subject
    assert approval.reservation_release(reservation_id=soon.pk) is False  # safe to run twice


def test_the_release_task_runs_the_service(member, gated):
    pending = book(member, gated, *slot(days=1))
    Reservation.objects.filter(pk=pending.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    assert tasks.release_pending_reservations_task.delay().get() == 1
    assert tasks.release_pending_reservations_task.delay().get() == 0


# --- supervisors ------------------------------------------------------------------------------------


@pytest.fixture
def supervised(space):
    return f.EquipmentFactory(makerspace=space, requires_supervisor=True)


def test_supervisor_required_must_be_staff_and_free(space, member, staff, supervised):
    with pytest.raises(ValidationError) as caught:
        book(member, supervised)
    assert "supervisor" in caught.value.errors
    with pytest.raises(ValidationError):
        book(member, supervised, supervisor=f.MemberFactory(makerspace=space).user)  # not staff
    with pytest.raises(ValidationError):
        book(member, supervised, supervisor=f.MemberFactory(role="staff").user)  # staff elsewhere
    first = book(member, supervised, supervisor=staff.user)
    assert first.supervisor == staff.user
    other_machine = f.EquipmentFactory(makerspace=space, requires_supervisor=True)
    with pytest.raises(ConflictError) as busy:
        book(f.MemberFactory(makerspace=space), other_machine, first.starts_at, first.ends_at, supervisor=staff.user)
    assert busy.value.code == "supervisor_busy"


def test_supervisor_through_the_api(client_for, member, staff, supervised):
    start, end = slot()
    body = {"equipment": supervised.pk, "starts_at": start.isoformat(), "ends_at": end.isoformat()}
    client = client_for(user=member.user)
    assert client.post(URL, {**body, "supervisor": 2**62}, format="json").status_code == 400
    response = client.post(URL, {**body, "supervisor": staff.user.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["supervisor"]["id"] == staff.user.pk


# --- emergency ---------------------------------------------------------------------------------------


def test_emergency_booking_displaces_members_who_are_notified(space, member, staff, django_capture_on_commit_callbacks):
    machine = f.EquipmentFactory(makerspace=space)
    booked = book(member, machine)
    with django_capture_on_commit_callbacks(execute=True):
        emergency = book(staff, machine, booked.starts_at, booked.ends_at, emergency=True, notes="Fire drill")
    booked.refresh_from_db()
    assert emergency.status == "confirmed" and emergency.emergency
    assert booked.status == "cancelled" and "Fire drill" in booked.cancel_reason
    assert kinds(booked) == ["created", "displaced"]
    displaced = [m for m in mail.outbox if m.to == [member.user.email]]
    assert len(displaced) == 1 and "emergency" in displaced[0].subject


def test_emergency_rules(space, member, staff):
    space.timezone = midday_zone()
    space.save(update_fields=["timezone"])
    machine = f.EquipmentFactory(makerspace=space)
    with pytest.raises(PermissionDenied):
        book(member, machine, emergency=True, notes="mine")
    with pytest.raises(ValidationError):
        book(staff, machine, emergency=True)
    start = timezone.now().replace(second=0, microsecond=0)
    using = book(member, machine, start, start + timedelta(hours=1))
    reservation_check_in(reservation=using, actor=staff.user)
    with pytest.raises(ConflictError) as caught:
        book(staff, machine, start, start + timedelta(hours=1), emergency=True, notes="urgent")
    assert caught.value.code == "slot_taken"
    using.refresh_from_db()
    assert using.status == "checked_in"


# --- history -----------------------------------------------------------------------------------------


def test_every_state_change_writes_an_event(member, staff, space):
    space.timezone = midday_zone()
    space.save(update_fields=["timezone"])
    machine = f.EquipmentFactory(makerspace=space)
    start = timezone.now().replace(second=0, microsecond=0)
    reservation = book(member, machine, start, start + timedelta(hours=1))
    reservation_check_in(reservation=reservation, actor=staff.user)
    from makerspace.services.reservations import reservation_complete

    reservation_complete(reservation=reservation, actor=staff.user)
    events = list(ReservationEvent.objects.filter(reservation=reservation))
    assert [(e.kind, e.from_status, e.to_status) for e in events] == [
        ("created", "", "confirmed"),
        ("checked_in", "confirmed", "checked_in"),
        ("completed", "checked_in", "completed"),
    ]
    assert [e.actor for e in events] == [member.user, staff.user, staff.user]
    space.timezone = "UTC"  # back to the zone ``slot()`` computes in
    space.save(update_fields=["timezone"])
    cancelled = book(member, machine)
    reservation_cancel(reservation=cancelled, actor=staff.user, reason="Closed for an event")
    last = ReservationEvent.objects.filter(reservation=cancelled).last()
    assert (last.kind, last.reason, last.actor) == ("cancelled", "Closed for an event", staff.user)


def test_events_endpoint_is_scoped_and_query_bounded(client_for, member, space, django_assert_max_num_queries):
    machine = f.EquipmentFactory(makerspace=space)
    reservation = book(member, machine)
    client = client_for(user=member.user)
    with django_assert_max_num_queries(12) as one:
        response = client.get(f"{URL}{reservation.pk}/events/", {"page_size": 1})
    assert response.status_code == 200 and response.json()["results"][0]["kind"] == "created"
    ReservationEvent.objects.bulk_create(
        [ReservationEvent(reservation=reservation, kind="created", to_status="confirmed", actor=member.user)] * 100
    )
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(f"{URL}{reservation.pk}/events/", {"page_size": 100})
    assert len(response.json()["results"]) == 100
    outsider = f.MemberFactory(role="staff")
    assert client_for(user=outsider.user).get(f"{URL}{reservation.pk}/events/").status_code == 404


# --- notifications and reminders ----------------------------------------------------------------------


def test_booking_notifies_the_member(member, gated, space, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        book(member, gated)
        book(member, f.EquipmentFactory(makerspace=space))
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Awaiting approval", "Booked"]


def test_reminders_go_out_once(settings, member, space, django_capture_on_commit_callbacks):
    settings.MAKERSPACE_REMINDER_LEAD_MINUTES = 60 * 24 * 3
    machine = f.EquipmentFactory(makerspace=space)
    due = book(member, machine, *slot(days=2))
    book(member, machine, *slot(days=5))  # beyond the lead time
    with django_capture_on_commit_callbacks(execute=True):
        assert reservation_reminders_send() == 1
        assert reservation_reminders_send() == 0
        assert tasks.send_reservation_reminders_task.delay().get() == 0
    reminders = [m for m in mail.outbox if m.subject.startswith("Reminder")]
    assert len(reminders) == 1
    due.refresh_from_db()
    assert due.reminder_sent_at is not None


def test_a_pending_booking_gets_no_reminder(settings, member, gated):
    settings.MAKERSPACE_REMINDER_LEAD_MINUTES = 60 * 24 * 3
    book(member, gated)
    assert reservation_reminders_send() == 0


def test_approving_after_the_start_is_refused(member, staff, gated):
    pending = book(member, gated)
    Reservation.objects.filter(pk=pending.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(InvalidTransition):
        approval.reservation_approve(reservation=pending, actor=staff.user)
