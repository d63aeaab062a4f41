"""Maintenance tickets and windows: reporting, staff workflow, machine status, the beat task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from makerspace.models import Equipment, EquipmentStatusChange, MaintenanceWindow
from makerspace.services.maintenance import maintenance_windows_apply
from makerspace.tasks import apply_maintenance_windows_task
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db
TICKETS = "/api/v1/makerspace/maintenance/tickets/"
WINDOWS = "/api/v1/makerspace/maintenance/windows/"


@pytest.fixture
def setup(client_for):
    space = f.MakerspaceFactory()
    machine = f.EquipmentFactory(makerspace=space)
    member = f.MemberFactory(makerspace=space)
    staff = f.MemberFactory(makerspace=space, role="staff")
    return {
        "machine": machine,
        "member": client_for(user=member.user),
        "staff": client_for(user=staff.user),
        "staff_user": staff.user,
        "outsider": client_for(),
    }


def status_of(machine) -> str:
    return Equipment.objects.get(pk=machine.pk).status


def test_member_reports_staff_resolve(setup):
    machine = setup["machine"]
    response = setup["member"].post(TICKETS, {"equipment": machine.pk, "title": "Bed not level"}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "open"
    ticket_id = response.json()["id"]
    assert setup["outsider"].post(TICKETS, {"equipment": machine.pk, "title": "x"}, format="json").status_code == 403
    blocking = setup["member"].post(TICKETS, {"equipment": machine.pk, "title": "x", "blocking": True}, format="json")
    assert blocking.status_code == 403
    assert setup["member"].post(f"{TICKETS}{ticket_id}/resolve/", {"resolution": "x"}).status_code == 403
    assigned = setup["staff"].post(f"{TICKETS}{ticket_id}/assign/", {"assignee": setup["staff_user"].pk}, format="json")
    assert assigned.json()["status"] == "in_progress"
    resolved = setup["staff"].post(f"{TICKETS}{ticket_id}/resolve/", {"resolution": "Levelled"}, format="json")
    assert resolved.json()["status"] == "resolved"
    again = setup["staff"].post(f"{TICKETS}{ticket_id}/resolve/", {"resolution": "x"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert setup["staff"].post(f"{TICKETS}{ticket_id}/close/", {}, format="json").json()["status"] == "closed"


def test_blocking_ticket_takes_machine_out_until_last_resolved(setup):
    machine, staff = setup["machine"], setup["staff"]
    first = staff.post(TICKETS, {"equipment": machine.pk, "title": "Laser tube", "blocking": True}, format="json")
    second = staff.post(TICKETS, {"equipment": machine.pk, "title": "Chiller", "blocking": True}, format="json")
    assert status_of(machine) == "maintenance"
    staff.post(f"{TICKETS}{first.json()['id']}/resolve/", {"resolution": "Replaced"}, format="json")
    assert status_of(machine) == "maintenance"
    staff.post(f"{TICKETS}{second.json()['id']}/close/", {"resolution": "Duplicate"}, format="json")
    assert status_of(machine) == "available"
    history = list(EquipmentStatusChange.objects.filter(equipment=machine).order_by("created_at", "id"))
    assert [h.to_status for h in history] == ["maintenance", "available"]
    assert history[0].ticket_id == first.json()["id"]
    listed = staff.get(f"/api/v1/makerspace/equipment/{machine.pk}/status/").json()
    assert listed["count"] == 2


def test_window_blocks_reservations_and_refuses_overlaps(setup):
    machine, staff = setup["machine"], setup["staff"]
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    reservation = f.ReservationFactory(equipment=machine, starts_at=start, ends_at=start + timedelta(hours=1))
    payload = {
        "equipment": machine.pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "reason": "Annual service",
    }
    refused = staff.post(WINDOWS, payload, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "reservation_conflict"
    assert refused.json()["errors"]["reservations"] == [str(reservation.pk)]
    assert setup["member"].post(WINDOWS, payload, format="json").status_code == 403
    created = staff.post(WINDOWS, {**payload, "cancel_reservations": True}, format="json")
    assert created.status_code == 201
    reservation.refresh_from_db()
    assert reservation.status == "cancelled" and "Annual service" in reservation.cancel_reason
    assert status_of(machine) == "available"  # not started yet
    assert setup["member"].get(WINDOWS).json()["count"] == 1


def test_window_status_task_is_idempotent(setup):
    machine = setup["machine"]
    now = timezone.now()
    window = f.MaintenanceWindowFactory(
        equipment=machine, starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1)
    )
    assert apply_maintenance_windows_task.delay().get() == 1
    assert maintenance_windows_apply() == 0
    assert status_of(machine) == "maintenance"
    assert EquipmentStatusChange.objects.get(equipment=machine, to_status="maintenance").window == window
    assert maintenance_windows_apply(now=now + timedelta(hours=2)) == 1
    assert maintenance_windows_apply(now=now + timedelta(hours=2)) == 0
    assert status_of(machine) == "available"


def test_window_does_not_release_a_blocking_ticket(setup):
    machine, staff = setup["machine"], setup["staff"]
    now = timezone.now()
    f.MaintenanceWindowFactory(
        equipment=machine, starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1)
    )
    maintenance_windows_apply()
    staff.post(TICKETS, {"equipment": machine.pk, "title": "Broken", "blocking": True}, format="json")
    maintenance_windows_apply(now=now + timedelta(hours=2))
    assert status_of(machine) == "maintenance"


def test_cancel_running_window_releases(setup):
    machine, staff = setup["machine"], setup["staff"]
    now = timezone.now()
    created = staff.post(
        WINDOWS,
        {
            "equipment": machine.pk,
            "starts_at": (now - timedelta(minutes=5)).isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201 and status_of(machine) == "maintenance"
    cancelled = staff.post(f"{WINDOWS}{created.json()['id']}/cancel/")
    assert cancelled.status_code == 200 and status_of(machine) == "available"
    assert staff.post(f"{WINDOWS}{created.json()['id']}/cancel/").json()["code"] == "invalid_transition"
    assert MaintenanceWindow.objects.get().cancelled_at is not None


def test_bad_window_input(setup):
    machine, staff = setup["machine"], setup["staff"]
    now = timezone.now()
    bad = [
        {"equipment": machine.pk, "starts_at": "2030-01-01T10:00:00", "ends_at": "2030-01-01T11:00:00"},
        {"equipment": machine.pk, "starts_at": now.isoformat(), "ends_at": (now - timedelta(hours=1)).isoformat()},
        {"equipment": machine.pk, "starts_at": "2020-01-01T10:00:00Z", "ends_at": "2020-01-01T11:00:00Z"},
        {"equipment": "x"},
    ]
    for payload in bad:
        assert staff.post(WINDOWS, payload, format="json").status_code == 400


def test_ticket_list_scoped_and_query_count(setup, client_for, django_assert_max_num_queries):
    machine = setup["machine"]
    for i in range(15):
        f.MaintenanceTicketFactory(equipment=machine, title=f"T{i}")
    f.MaintenanceTicketFactory()  # another makerspace
    # Members of the space see its tickets (what is wrong with a machine); another space's stay hidden.
    assert setup["member"].get(TICKETS).json()["count"] == 15
    assert client_for().get(TICKETS).json()["count"] == 0
    with django_assert_max_num_queries(6) as small:
        assert setup["staff"].get(TICKETS, {"page_size": 1}).json()["count"] == 15
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(setup["staff"].get(TICKETS, {"page_size": 100}).json()["results"]) == 15
    other = f.MaintenanceTicketFactory()
    assert setup["staff"].get(f"{TICKETS}{other.pk}/").status_code == 404
