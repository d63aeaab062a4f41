"""Staff book for a walk-in member from the admin (``reservation_create``, same rules as the API), open a ticket
from a machine's page, and see — and cancel with a notice — the bookings a machine's maintenance affects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.test import Client
from django.utils import timezone

from makerspace.models import Member, Reservation
from makerspace.tests import factories as f
from makrx.models import Notification

pytestmark = pytest.mark.django_db

BOOK = "/admin/makerspace/reservation/book/"


@pytest.fixture
def spaces(make_user):
    a = f.MakerspaceFactory(name="Bengaluru Makers", timezone="Asia/Kolkata")
    b = f.MakerspaceFactory(name="Pune Makers")
    manager_a = make_user("manager_a", roles=["makerspace_admin"])
    f.MemberFactory(user=manager_a, makerspace=a, role="manager")
    manager_b = make_user("manager_b", roles=["makerspace_admin"])
    f.MemberFactory(user=manager_b, makerspace=b, role="manager")
    return a, b, manager_a, manager_b


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _day():
    return (timezone.now() + timedelta(days=4)).date()


def _book(client, machine, member, start="10:00", end="12:00", day=None):
    return client.post(
        BOOK,
        {"equipment": machine.pk, "member": member.pk, "date": (day or _day()).isoformat(), "start": start, "end": end},
    )


def test_walk_in_booking_is_made_in_the_spaces_local_time(spaces):
    a, _, manager_a, _ = spaces
    machine = f.EquipmentFactory(makerspace=a, hourly_rate="100.00")
    walk_in = f.MemberFactory(makerspace=a, status=Member.Status.ACTIVE)
    client = login(manager_a)
    form = client.get(BOOK, {"equipment": machine.pk, "member": walk_in.pk}).content.decode()
    assert "Local time of the machine&#x27;s makerspace." in form or "Local time of the machine's makerspace." in form
    response = _book(client, machine, walk_in)
    assert response.status_code == 302
    booking = Reservation.objects.get(equipment=machine)
    day = _day()
    assert booking.starts_at == datetime(day.year, day.month, day.day, 4, 30, tzinfo=UTC)  # 10:00 IST
    assert booking.member == walk_in and booking.user == walk_in.user and booking.created_by == manager_a
    entry = LogEntry.objects.get(object_id=str(booking.pk))
    assert entry.action_flag == ADDITION and "walk-in" in entry.get_change_message()


def test_walk_in_booking_keeps_the_rules_and_shows_the_reason(spaces):
    a, _, manager_a, _ = spaces
    machine = f.EquipmentFactory(makerspace=a)
    walk_in = f.MemberFactory(makerspace=a, status=Member.Status.ACTIVE)
    client = login(manager_a)
    assert _book(client, machine, walk_in).status_code == 302
    clash = _book(client, machine, walk_in, start="11:00", end="13:00")
    assert clash.status_code == 200
    assert "already reserved" in clash.content.decode() and "slot_taken" in clash.content.decode()
    backwards = _book(client, machine, walk_in, start="12:00", end="11:00")
    assert backwards.status_code == 200 and 'class="errornote"' in backwards.content.decode()
    suspended = f.MemberFactory(makerspace=a, status=Member.Status.SUSPENDED)
    refused = _book(client, machine, suspended)
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert Reservation.objects.filter(equipment=machine).count() == 1


def test_walk_in_booking_is_limited_to_the_staff_members_spaces(spaces):
    a, b, _, manager_b = spaces
    machine_a = f.EquipmentFactory(makerspace=a)
    member_a = f.MemberFactory(makerspace=a, status=Member.Status.ACTIVE)
    member_b = f.MemberFactory(makerspace=b, status=Member.Status.ACTIVE)
    client = login(manager_b)
    page = client.get(BOOK).content.decode()
    assert machine_a.name not in page
    response = _book(client, machine_a, member_b)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    mixed = _book(client, f.EquipmentFactory(makerspace=b), member_a)
    assert mixed.status_code == 200
    assert not Reservation.objects.exists()


def _window_day_booking(machine, hour, hours=1, **extra):
    day = _day()
    start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return f.ReservationFactory(equipment=machine, starts_at=start, ends_at=start + timedelta(hours=hours), **extra)


def test_a_window_lists_exactly_the_bookings_it_overlaps_and_cancels_them_with_one_notice_each(
    spaces, django_capture_on_commit_callbacks
):
    a, _, manager_a, _ = spaces
    machine, other_machine = f.EquipmentFactory(makerspace=a), f.EquipmentFactory(makerspace=a)
    before = _window_day_booking(machine, 6)  # ends 07:00, touching the window's start: not affected
    inside = _window_day_booking(machine, 8)
    straddling = _window_day_booking(machine, 10, hours=2)  # 10:00–12:00, the window ends 11:00
    cancelled = _window_day_booking(machine, 9, status=Reservation.Status.CANCELLED)
    elsewhere = _window_day_booking(other_machine, 8)
    day = _day()
    window = f.MaintenanceWindowFactory(
        equipment=machine,
        starts_at=datetime(day.year, day.month, day.day, 7, tzinfo=UTC),
        ends_at=datetime(day.year, day.month, day.day, 11, tzinfo=UTC),
        created_by=manager_a,
    )
    client = login(manager_a)
    page = client.get(f"/admin/makerspace/maintenancewindow/{window.pk}/change/").content.decode()
    for shown in (inside, straddling):
        assert f"/admin/makerspace/reservation/{shown.pk}/change/" in page
    for hidden in (before, cancelled, elsewhere):
        assert f"/admin/makerspace/reservation/{hidden.pk}/change/" not in page
    assert "Cancel affected bookings and notify" in page
    url = f"/admin/makerspace/maintenancewindow/{window.pk}/do/cancel_affected_bookings/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)  # pressed twice: nothing more is cancelled, nobody hears twice
    for booking in (inside, straddling):
        booking.refresh_from_db()
        assert (
            booking.status == Reservation.Status.CANCELLED and booking.cancel_reason == "Maintenance: Scheduled service"
        )
        assert Notification.objects.filter(user=booking.user, kind="reservation.cancelled").count() == 1
    for untouched in (before, elsewhere):
        untouched.refresh_from_db()
        assert untouched.status == Reservation.Status.CONFIRMED
        assert not Notification.objects.filter(user=untouched.user, kind="reservation.cancelled").exists()
    assert (
        "Cancel affected bookings"
        not in client.get(f"/admin/makerspace/maintenancewindow/{window.pk}/change/").content.decode()
    )
    assert LogEntry.objects.filter(object_id=str(window.pk), change_message__contains="members notified").count() == 2


def test_a_blocking_ticket_opened_on_the_machine_page_lists_its_upcoming_bookings(spaces):
    a, _, manager_a, manager_b = spaces
    machine = f.EquipmentFactory(makerspace=a)
    upcoming = f.ReservationFactory(equipment=machine)
    past = f.ReservationFactory(
        equipment=machine,
        starts_at=timezone.now() - timedelta(days=1),
        ends_at=timezone.now() - timedelta(days=1) + timedelta(hours=1),
        status=Reservation.Status.COMPLETED,
    )
    client = login(manager_a)
    page = client.get(f"/admin/makerspace/equipment/{machine.pk}/change/").content.decode()
    assert f"/admin/makerspace/equipment/{machine.pk}/report-ticket/" in page
    assert login(manager_b).get(f"/admin/makerspace/equipment/{machine.pk}/report-ticket/").status_code == 404
    response = client.post(
        f"/admin/makerspace/equipment/{machine.pk}/report-ticket/",
        {"title": "Spindle noise", "priority": "high", "blocking": "on"},
    )
    assert response.status_code == 302
    ticket_page = client.get(response["Location"]).content.decode()
    assert f"/admin/makerspace/reservation/{upcoming.pk}/change/" in ticket_page
    assert f"/admin/makerspace/reservation/{past.pk}/change/" not in ticket_page
    assert "Cancel affected bookings and notify" in ticket_page


def test_a_non_blocking_ticket_affects_no_booking(spaces):
    a, _, manager_a, _ = spaces
    machine = f.EquipmentFactory(makerspace=a)
    f.ReservationFactory(equipment=machine)
    ticket = f.MaintenanceTicketFactory(equipment=machine, blocking=False)
    page = login(manager_a).get(f"/admin/makerspace/maintenanceticket/{ticket.pk}/change/").content.decode()
    assert "Cancel affected bookings" not in page
