"""Staff admin screens of a makerspace: times in the space's zone, status badges, object-page buttons (same
services as the list actions, logged to the admin history), CSV export — and space B's staff cannot act on A."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from makerspace.models import MaintenanceTicket, Member, Reservation
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db


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


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _future_ten_oclock_in_bengaluru() -> datetime:
    day = (timezone.now() + timedelta(days=3)).date()
    return datetime(day.year, day.month, day.day, 4, 30, tzinfo=UTC)  # 10:00 IST


def test_a_bengaluru_ten_oclock_booking_shows_ten_ist_on_list_and_page(spaces):
    a, _, manager_a, _ = spaces
    start = _future_ten_oclock_in_bengaluru()
    booking = f.ReservationFactory(
        equipment=f.EquipmentFactory(makerspace=a), starts_at=start, ends_at=start + timedelta(hours=2)
    )
    client = login(manager_a)
    listing = client.get("/admin/makerspace/reservation/").content.decode()
    assert f"{start:%d %b %Y} 10:00 IST" in listing and "12:00 IST" in listing
    assert "04:30 UTC" not in listing and "4:30 a.m." not in listing  # (the checkbox's aria-label is the model's str)
    assert 'class="badge badge-ok">Confirmed' in listing
    page = client.get(f"/admin/makerspace/reservation/{booking.pk}/change/").content.decode()
    assert "Times on this page: Asia/Kolkata." in page
    assert f"{start:%d %b %Y} 10:00 IST" in page  # the heading, not the model's UTC str()
    assert "10 a.m." in page and "4:30 a.m." not in page  # the read-only fields, in the space's zone


def test_reservation_buttons_follow_the_status(spaces):
    a, _, manager_a, _ = spaces
    machine = f.EquipmentFactory(makerspace=a)
    pending = f.ReservationFactory(equipment=machine, status=Reservation.Status.PENDING)
    done = f.ReservationFactory(
        equipment=machine, status=Reservation.Status.COMPLETED, starts_at=timezone.now() - timedelta(days=2)
    )
    client = login(manager_a)
    page = client.get(f"/admin/makerspace/reservation/{pending.pk}/change/").content.decode()
    assert f"/admin/makerspace/reservation/{pending.pk}/do/approve/" in page
    assert f"/admin/makerspace/reservation/{pending.pk}/do/reject/" in page
    assert "/do/cancel_reservations/" in page
    finished = client.get(f"/admin/makerspace/reservation/{done.pk}/change/").content.decode()
    assert "/do/" not in finished


def test_approve_button_runs_the_service_and_writes_the_history(spaces):
    a, _, manager_a, _ = spaces
    pending = f.ReservationFactory(equipment=f.EquipmentFactory(makerspace=a), status=Reservation.Status.PENDING)
    response = login(manager_a).post(f"/admin/makerspace/reservation/{pending.pk}/do/approve/")
    assert response.status_code == 302 and response["Location"].endswith(f"/reservation/{pending.pk}/change/")
    pending.refresh_from_db()
    assert pending.status == Reservation.Status.CONFIRMED and pending.decided_by == manager_a
    entry = LogEntry.objects.get(object_id=str(pending.pk), content_type__model="reservation")
    assert entry.action_flag == CHANGE and entry.user == manager_a
    assert entry.get_change_message() == "Admin action: approved."


def test_an_illegal_transition_is_a_message_and_changes_nothing(spaces):
    a, _, manager_a, _ = spaces
    confirmed = f.ReservationFactory(equipment=f.EquipmentFactory(makerspace=a))
    response = login(manager_a).post(f"/admin/makerspace/reservation/{confirmed.pk}/do/approve/")
    assert response.status_code == 302
    confirmed.refresh_from_db()
    assert confirmed.status == Reservation.Status.CONFIRMED
    assert any("cannot" in message or "not" in message for message in _messages(response))
    assert not LogEntry.objects.filter(object_id=str(confirmed.pk), content_type__model="reservation").exists()


def test_reject_button_asks_for_a_reason_first(spaces):
    a, _, manager_a, _ = spaces
    pending = f.ReservationFactory(equipment=f.EquipmentFactory(makerspace=a), status=Reservation.Status.PENDING)
    client = login(manager_a)
    url = f"/admin/makerspace/reservation/{pending.pk}/do/reject/"
    ask = client.post(url)
    assert ask.status_code == 200 and 'name="reason"' in ask.content.decode()
    pending.refresh_from_db()
    assert pending.status == Reservation.Status.PENDING
    client.post(
        url,
        {"apply": "1", "action": "reject", "_selected_action": [pending.pk], "reason": "Machine booked for a class"},
    )
    pending.refresh_from_db()
    assert pending.status == Reservation.Status.REJECTED and pending.decision_reason == "Machine booked for a class"


def test_staff_of_another_space_cannot_press_the_buttons(spaces):
    a, _, _, manager_b = spaces
    pending = f.ReservationFactory(equipment=f.EquipmentFactory(makerspace=a), status=Reservation.Status.PENDING)
    member = f.MemberFactory(makerspace=a, status=Member.Status.PENDING)
    client = login(manager_b)
    assert client.post(f"/admin/makerspace/reservation/{pending.pk}/do/approve/").status_code == 404
    assert client.post(f"/admin/makerspace/member/{member.pk}/do/approve/").status_code == 404
    pending.refresh_from_db()
    member.refresh_from_db()
    assert pending.status == Reservation.Status.PENDING and member.status == Member.Status.PENDING
    assert not LogEntry.objects.exists()


def test_member_buttons_approve_then_suspend(spaces):
    a, _, manager_a, _ = spaces
    member = f.MemberFactory(makerspace=a, status=Member.Status.PENDING)
    client = login(manager_a)
    page = client.get(f"/admin/makerspace/member/{member.pk}/change/").content.decode()
    assert "/do/approve/" in page and "/do/suspend/" not in page
    client.post(f"/admin/makerspace/member/{member.pk}/do/approve/")
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE
    page = client.get(f"/admin/makerspace/member/{member.pk}/change/").content.decode()
    assert "/do/suspend/" in page and "/do/approve/" not in page
    url = f"/admin/makerspace/member/{member.pk}/do/suspend/"
    client.post(url, {"apply": "1", "action": "suspend", "_selected_action": [member.pk], "reason": "Unsafe use"})
    member.refresh_from_db()
    assert member.status == Member.Status.SUSPENDED
    messages = list(
        LogEntry.objects.filter(object_id=str(member.pk)).order_by("id").values_list("change_message", flat=True)
    )
    assert messages == ["Admin action: approved.", "Admin action: suspended."]


def test_resolve_button_returns_the_machine_to_service(spaces):
    a, _, manager_a, _ = spaces
    machine = f.EquipmentFactory(makerspace=a)
    client = login(manager_a)
    client.post(
        f"/admin/makerspace/equipment/{machine.pk}/report-ticket/",
        {"title": "Laser tube cracked", "priority": "high", "blocking": "on"},
    )
    ticket = MaintenanceTicket.objects.get(equipment=machine)
    machine.refresh_from_db()
    assert ticket.blocking and machine.status == "maintenance"
    page = client.get(f"/admin/makerspace/maintenanceticket/{ticket.pk}/change/").content.decode()
    assert "/do/resolve_tickets/" in page
    client.post(f"/admin/makerspace/maintenanceticket/{ticket.pk}/do/resolve_tickets/")
    ticket.refresh_from_db()
    machine.refresh_from_db()
    assert ticket.status == "resolved" and machine.status == "available"
    assert LogEntry.objects.filter(object_id=str(ticket.pk), change_message="Admin action: resolved.").exists()
    assert LogEntry.objects.filter(object_id=str(machine.pk), change_message__startswith="Maintenance ticket").exists()


def test_reservations_csv_has_local_times_and_only_the_selected_rows(spaces):
    a, b, manager_a, _ = spaces
    start = _future_ten_oclock_in_bengaluru()
    mine = f.ReservationFactory(
        equipment=f.EquipmentFactory(makerspace=a, name="Laser A"), starts_at=start, ends_at=start + timedelta(hours=1)
    )
    other = f.ReservationFactory(equipment=f.EquipmentFactory(makerspace=b))
    response = login(manager_a).post(
        "/admin/makerspace/reservation/", {"action": "export_csv", "_selected_action": [mine.pk, other.pk]}
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["id"] for row in rows] == [str(mine.pk)]
    assert rows[0]["starts_at"] == f"{start.astimezone(a.tzinfo).isoformat()}"
    assert rows[0]["starts_at"].endswith("T10:00:00+05:30") and rows[0]["equipment__name"] == "Laser A"


def test_inventory_csv_and_stock_badges(spaces):
    a, _, manager_a, _ = spaces
    item = f.InventoryItemFactory(makerspace=a, sku="PLA-1", quantity=0)
    client = login(manager_a)
    assert 'class="badge badge-bad">out of stock' in client.get("/admin/makerspace/inventoryitem/").content.decode()
    response = client.post("/admin/makerspace/inventoryitem/", {"action": "export_csv", "_selected_action": [item.pk]})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["sku", "name", "makerspace__name", "quantity"]
    assert rows[1][0] == "PLA-1" and rows[1][2] == "Bengaluru Makers"


def test_equipment_specs_are_edited_as_rows(spaces):
    a, _, manager_a, _ = spaces
    machine = f.EquipmentFactory(makerspace=a, specs={"bed_mm": [600, 400], "power_w": 60})
    client = login(manager_a)
    url = f"/admin/makerspace/equipment/{machine.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="specs-key-0" value="bed_mm"' in page and 'value="[600, 400]"' in page
    form = {
        "name": machine.name, "slug": machine.slug, "equipment_type": machine.equipment_type,
        "hourly_rate": "200.00", "currency": "INR", "location": "Bay 1", "active": "on", "description": "",
        "specs-rows": "3", "specs-key-0": "bed_mm", "specs-value-0": "[600, 400]", "specs-key-1": "power_w",
        "specs-value-1": "80", "specs-key-2": "tube", "specs-value-2": "CO2",
        "tickets-TOTAL_FORMS": "0", "tickets-INITIAL_FORMS": "0",
    }  # fmt: skip
    for prefix in ("equipmentstatuschange_set", "status_changes"):
        form[f"{prefix}-TOTAL_FORMS"] = form[f"{prefix}-INITIAL_FORMS"] = "0"
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    machine.refresh_from_db()
    assert machine.specs == {"bed_mm": [600, 400], "power_w": 80, "tube": "CO2"}
    bad = client.post(url, {**form, "specs-key-2": "power_w"})
    assert bad.status_code == 200 and "appears twice" in bad.content.decode()
    machine.refresh_from_db()
    assert machine.specs["tube"] == "CO2"


def test_start_session_button_checks_in_and_the_session_page_stops_it(spaces):
    from makerspace.models import UsageSession

    a, _, manager_a, _ = spaces
    machine = f.EquipmentFactory(makerspace=a)
    now = timezone.now()
    booking = f.ReservationFactory(
        equipment=machine, starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=1)
    )
    client = login(manager_a)
    page = client.get(f"/admin/makerspace/reservation/{booking.pk}/change/").content.decode()
    assert "/do/start_session/" in page and "/do/check_in/" in page
    client.post(f"/admin/makerspace/reservation/{booking.pk}/do/start_session/")
    booking.refresh_from_db()
    session = UsageSession.objects.get(reservation=booking)
    assert booking.status == Reservation.Status.CHECKED_IN and session.started_by == manager_a
    assert "/do/stop_sessions/" in client.get(f"/admin/makerspace/usagesession/{session.pk}/change/").content.decode()
    client.post(f"/admin/makerspace/usagesession/{session.pk}/do/stop_sessions/")
    session.refresh_from_db()
    assert session.ended_at is not None
    assert LogEntry.objects.filter(object_id=str(session.pk), change_message="Admin action: stopped.").exists()


def test_date_inputs_are_read_in_the_spaces_local_time(spaces):
    from makerspace.models import SafetyIncident

    a, _, manager_a, _ = spaces
    machine = f.EquipmentFactory(makerspace=a)
    client = login(manager_a)
    form = client.get("/admin/makerspace/safetyincident/add/").content.decode()
    assert "Time zone: Asia/Kolkata." in form  # a manager of one space adds in its zone
    response = client.post(
        "/admin/makerspace/safetyincident/add/",
        {
            "equipment": machine.pk, "severity": "minor", "occurred_at_0": "2026-03-02", "occurred_at_1": "10:00",
            "description": "Burn on the laser bed", "actions_taken": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    incident = SafetyIncident.objects.get(equipment=machine)
    assert incident.occurred_at == datetime(2026, 3, 2, 4, 30, tzinfo=UTC)
    page = client.get(f"/admin/makerspace/safetyincident/{incident.pk}/change/").content.decode()
    assert 'name="occurred_at_1" value="10:00:00"' in page


@pytest.mark.parametrize(
    "url, make",
    [
        (
            "/admin/makerspace/reservation/",
            lambda space: f.ReservationFactory(equipment=f.EquipmentFactory(makerspace=space)),
        ),
        (
            "/admin/makerspace/member/",
            lambda space: f.MemberFactory(makerspace=space, plan=f.MembershipPlanFactory(makerspace=space)),
        ),
        ("/admin/makerspace/equipment/", lambda space: f.EquipmentFactory(makerspace=space)),
        (
            "/admin/makerspace/maintenanceticket/",
            lambda space: f.MaintenanceTicketFactory(equipment=f.EquipmentFactory(makerspace=space)),
        ),
        ("/admin/makerspace/inventoryitem/", lambda space: f.InventoryItemFactory(makerspace=space)),
    ],
)
def test_local_times_and_badges_cost_no_query_per_row(spaces, url, make):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a, _, manager_a, _ = spaces
    client = login(manager_a)
    make(a)
    client.get(url)  # warm the caches (content types, site)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(6):
        make(a)
    with CaptureQueriesContext(connection) as seven:
        assert client.get(url).status_code == 200
    assert len(seven) == len(one), [q["sql"][:120] for q in seven.captured_queries[len(one) :]]
