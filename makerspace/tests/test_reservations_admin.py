"""Admin screens of bookings: tenant-scoped querysets, a machine's calendar list, actions through services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.test import Client
from django.utils import timezone

from makerspace.models import (
    CalendarToken,
    Equipment,
    MaintenanceTicket,
    MaintenanceWindow,
    Reservation,
    UsageSession,
)
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_spaces(make_user):
    a, b = f.MakerspaceFactory(name="Alpha"), f.MakerspaceFactory(name="Beta")
    manager = make_user("manager_a", roles=["makerspace_admin"])
    f.MemberFactory(user=manager, makerspace=a, role="manager")
    return a, b, manager


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_querysets_are_scoped(rf, two_spaces):
    a, b, manager = two_spaces
    for space in (a, b):
        machine = f.EquipmentFactory(makerspace=space)
        f.ReservationFactory(equipment=machine)
        f.MaintenanceTicketFactory(equipment=machine)
        f.MaintenanceWindowFactory(equipment=machine)
        f.UsageSessionFactory(equipment=machine)
    request = rf.get("/admin/")
    request.user = manager
    for model in (Reservation, MaintenanceTicket, MaintenanceWindow, UsageSession):
        queryset = site._registry[model].get_queryset(request)
        assert set(queryset.values_list("equipment__makerspace_id", flat=True)) == {a.pk}, model


def test_reservation_calendar_list_and_cancel_action(two_spaces):
    a, b, manager = two_spaces
    machine = f.EquipmentFactory(makerspace=a, name="Laser A")
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    mine = f.ReservationFactory(equipment=machine, starts_at=start, ends_at=start + timedelta(hours=1))
    other = f.ReservationFactory(equipment=f.EquipmentFactory(makerspace=b))
    client = login(manager)
    listing = client.get("/admin/makerspace/reservation/", {"equipment__id__exact": machine.pk})
    assert listing.status_code == 200 and "Laser A" in listing.content.decode()
    assert client.get(f"/admin/makerspace/reservation/{other.pk}/change/").status_code in (302, 403, 404)
    response = client.post(
        "/admin/makerspace/reservation/",
        {"action": "cancel_reservations", "_selected_action": [mine.pk, other.pk]},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == "cancelled" and mine.cancelled_by == manager and mine.cancel_reason
    assert other.status == "confirmed"  # outside the manager's scope: not even selectable


def test_no_show_refusal_is_a_message_not_an_error(two_spaces):
    a, _, manager = two_spaces
    future = f.ReservationFactory(equipment=f.EquipmentFactory(makerspace=a))
    response = login(manager).post(
        "/admin/makerspace/reservation/",
        {"action": "mark_no_show", "_selected_action": [future.pk]},
        follow=True,
    )
    assert response.status_code == 200 and "only after it has started" in response.content.decode()
    assert Reservation.objects.get(pk=future.pk).status == "confirmed"


def test_resolve_ticket_action_releases_machine(two_spaces, make_user):
    a, _, manager = two_spaces
    machine = f.EquipmentFactory(makerspace=a, status="maintenance")
    ticket = f.MaintenanceTicketFactory(equipment=machine, blocking=True)
    login(manager).post(
        "/admin/makerspace/maintenanceticket/", {"action": "resolve_tickets", "_selected_action": [ticket.pk]}
    )
    assert MaintenanceTicket.objects.get(pk=ticket.pk).status == "resolved"
    assert Equipment.objects.get(pk=machine.pk).status == "available"


def test_screens_render(two_spaces, make_user):
    a, _, manager = two_spaces
    machine = f.EquipmentFactory(makerspace=a)
    reservation = f.ReservationFactory(equipment=machine)
    ticket = f.MaintenanceTicketFactory(equipment=machine)
    window = f.MaintenanceWindowFactory(equipment=machine, starts_at=reservation.ends_at)
    session = f.UsageSessionFactory(equipment=machine)
    client = login(manager)
    for path in (
        "/admin/makerspace/reservation/",
        f"/admin/makerspace/reservation/{reservation.pk}/change/",
        "/admin/makerspace/maintenanceticket/",
        f"/admin/makerspace/maintenanceticket/{ticket.pk}/change/",
        "/admin/makerspace/maintenancewindow/",
        f"/admin/makerspace/maintenancewindow/{window.pk}/change/",
        "/admin/makerspace/usagesession/",
        f"/admin/makerspace/usagesession/{session.pk}/change/",
    ):
        assert client.get(path).status_code == 200, path
    # Calendar tokens are personal secrets: platform admins only, and the token is never shown.
    assert client.get("/admin/makerspace/calendartoken/").status_code == 403
    token = f.CalendarTokenFactory()
    admin_client = login(make_user("root", roles=["admin"]))
    page = admin_client.get(f"/admin/makerspace/calendartoken/{token.pk}/change/")
    assert page.status_code == 200 and token.token not in page.content.decode()
    assert CalendarToken.objects.count() == 1
