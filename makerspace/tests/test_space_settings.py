"""Space settings: manager API, export/import (all or nothing), booking rules honoured, feature switches 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from makerspace.models import Reservation, SpaceSettings
from makerspace.selectors.space_settings import booking_rules
from makerspace.services import recurring, waitlist
from makerspace.services.reservations import reservation_cancel, reservation_create
from makerspace.services.space_settings import space_settings_update
from makerspace.services.spaces import makerspace_create
from makerspace.tests import factories as f
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, ValidationError

pytestmark = pytest.mark.django_db
MS = "/api/v1/makerspace"


def url(space, tail=""):
    return f"{MS}/makerspaces/{space.pk}/settings/{tail}"


def slot(days=2, hour=10, minutes=60):
    start = (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(minutes=minutes)


@pytest.fixture
def manager(client_for):
    m = f.MemberFactory(role="manager")
    m.client = client_for(user=m.user)
    return m


def set_rules(space, **values):
    manager = f.MemberFactory(makerspace=space, role="manager")
    return space_settings_update(actor=manager.user, makerspace=space, values=values)


# --- API -------------------------------------------------------------------------------------------------------


def test_manager_reads_defaults_and_patches(manager, settings):
    space = manager.makerspace
    response = manager.client.get(url(space))
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["cancel_cutoff_minutes"] == settings.MAKERSPACE_CANCEL_CUTOFF_MINUTES
    assert (data["min_booking_minutes"], data["max_booking_minutes"], data["booking_horizon_days"]) == (5, 1440, 366)
    assert data["waitlist_enabled"] is True
    patched = manager.client.patch(
        url(space),
        {
            "lead_time_minutes": 60,
            "tax_rate_percent": "18.00",
            "accepts_service_jobs": True,
            "service_capabilities": ["3d_printer", "laser_cutter"],
            "ratings_enabled": False,
        },
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    row = SpaceSettings.objects.get(makerspace=space)
    assert (row.lead_time_minutes, str(row.tax_rate_percent), row.ratings_enabled) == (60, "18.00", False)
    assert row.service_capabilities == ["3d_printer", "laser_cutter"]


@pytest.mark.parametrize(
    "body",
    [
        {"min_booking_minutes": 0},
        {"max_booking_minutes": 10**9},
        {"min_booking_minutes": 120, "max_booking_minutes": 60},
        {"tax_rate_percent": "101"},
        {"currency": "rupees"},
        {"service_capabilities": ["teleporter"]},
        {"waitlist_enabled": "maybe"},
        {"no_such_setting": 1},
        {"default_approval": "above_price"},
    ],
)
def test_bad_values_are_400_and_write_nothing(manager, body):
    before = manager.client.get(url(manager.makerspace)).json()
    response = manager.client.patch(url(manager.makerspace), body, format="json")
    assert response.status_code == 400, response.json()
    assert "request_id" in response.json()
    assert manager.client.get(url(manager.makerspace)).json() == before


def test_members_staff_and_other_spaces(client_for, manager):
    space = manager.makerspace
    staff = f.MemberFactory(makerspace=space, role="staff")
    other_manager = f.MemberFactory(role="manager")
    for user, code in ((staff.user, 403), (f.MemberFactory(makerspace=space).user, 403)):
        assert client_for(user=user).get(url(space)).status_code == code
        assert client_for(user=user).patch(url(space), {"lead_time_minutes": 5}, format="json").status_code == code
    outsider = client_for(user=other_manager.user)
    assert outsider.patch(url(space), {"lead_time_minutes": 5}, format="json").status_code == 403
    assert outsider.get(url(space, "export/")).status_code == 403
    doc = manager.client.get(url(space, "export/")).json()
    assert outsider.post(url(space, "import/"), doc, format="json").status_code == 403
    assert not SpaceSettings.objects.filter(makerspace=space, lead_time_minutes=5).exists()


def test_export_import_round_trip(client_for, manager):
    source = manager.makerspace
    manager.client.patch(url(source), {"lead_time_minutes": 30, "badges_enabled": False}, format="json")
    document = manager.client.get(url(source, "export/")).json()
    assert document["format"] == "makrx.space_settings" and document["version"] == 1
    assert document["settings"]["lead_time_minutes"] == 30
    target_manager = f.MemberFactory(role="manager")
    client = client_for(user=target_manager.user)
    response = client.post(url(target_manager.makerspace, "import/"), document, format="json")
    assert response.status_code == 200, response.json()
    row = SpaceSettings.objects.get(makerspace=target_manager.makerspace)
    assert (row.lead_time_minutes, row.badges_enabled) == (30, False)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(format="other"),
        lambda d: d.update(version=2),
        lambda d: d.update(settings=[1, 2]),
        lambda d: d["settings"].update(tax_rate_percent="abc"),
        lambda d: d["settings"].update(actor=1),
        lambda d: d.update(extra=True),
    ],
)
def test_import_is_all_or_nothing(manager, mutate):
    document = manager.client.get(url(manager.makerspace, "export/")).json()
    document["settings"]["lead_time_minutes"] = 45  # a valid change that must not be applied
    mutate(document)
    response = manager.client.post(url(manager.makerspace, "import/"), document, format="json")
    assert response.status_code == 400, response.json()
    assert not SpaceSettings.objects.filter(makerspace=manager.makerspace, lead_time_minutes=45).exists()
    assert manager.client.get(url(manager.makerspace)).json()["lead_time_minutes"] == 0


def test_import_of_a_non_object_is_400(manager):
    response = manager.client.post(url(manager.makerspace, "import/"), [1, 2], format="json")
    assert response.status_code == 400


def test_new_spaces_get_a_row_and_settings_follow_global_default(settings):
    space = makerspace_create(actor=SYSTEM, name="Fresh space")
    assert (
        SpaceSettings.objects.get(makerspace=space).cancel_cutoff_minutes == settings.MAKERSPACE_CANCEL_CUTOFF_MINUTES
    )
    orphan = f.MakerspaceFactory()
    assert booking_rules(makerspace_id=orphan.pk).max_length == timedelta(hours=24)


# --- booking rules honoured --------------------------------------------------------------------------------------


@pytest.fixture
def booker():
    member = f.MemberFactory()
    member.machine = f.EquipmentFactory(makerspace=member.makerspace)
    return member


def test_min_and_max_length(booker):
    set_rules(booker.makerspace, min_booking_minutes=30, max_booking_minutes=90)
    for minutes in (15, 120):
        start, end = slot(minutes=minutes)
        with pytest.raises(ValidationError):
            reservation_create(actor=booker.user, equipment=booker.machine, starts_at=start, ends_at=end)
    start, end = slot(minutes=90)
    reservation_create(actor=booker.user, equipment=booker.machine, starts_at=start, ends_at=end)


def test_lead_time_binds_members_not_staff(booker):
    set_rules(booker.makerspace, lead_time_minutes=60 * 24 * 3)
    start, end = slot(days=2)
    with pytest.raises(ValidationError) as caught:
        reservation_create(actor=booker.user, equipment=booker.machine, starts_at=start, ends_at=end)
    assert "starts_at" in caught.value.errors
    staff = f.MemberFactory(makerspace=booker.makerspace, role="staff")
    reservation_create(actor=staff.user, equipment=booker.machine, starts_at=start, ends_at=end, member=booker)
    start, end = slot(days=4)
    reservation_create(actor=booker.user, equipment=booker.machine, starts_at=start, ends_at=end)


def test_horizon(booker):
    set_rules(booker.makerspace, booking_horizon_days=7)
    start, end = slot(days=10)
    with pytest.raises(ValidationError):
        reservation_create(actor=booker.user, equipment=booker.machine, starts_at=start, ends_at=end)
    with pytest.raises(ValidationError):
        recurring.reservation_series_create(
            actor=booker.user, equipment=booker.machine, starts_at=start, ends_at=end, every="day", count=2
        )


def test_waitlist_join_uses_the_space_rules(booker):
    set_rules(booker.makerspace, max_booking_minutes=30)
    start, end = slot(minutes=60)
    with pytest.raises(ValidationError):
        waitlist.waitlist_join(actor=booker.user, equipment=booker.machine, starts_at=start, ends_at=end)


def test_cancel_cutoff_per_space(booker):
    start, end = slot(days=1)
    reservation = reservation_create(actor=booker.user, equipment=booker.machine, starts_at=start, ends_at=end)
    set_rules(booker.makerspace, cancel_cutoff_minutes=60 * 24 * 2)
    with pytest.raises(ConflictError) as caught:
        reservation_cancel(reservation=reservation, actor=booker.user)
    assert caught.value.code == "cancellation_cutoff"
    set_rules(booker.makerspace, cancel_cutoff_minutes=0)
    assert reservation_cancel(reservation=reservation, actor=booker.user).status == Reservation.Status.CANCELLED


def test_default_approval_applies_to_new_machines(manager):
    set_rules(manager.makerspace, default_approval="always")
    response = manager.client.post(
        f"{MS}/equipment/", {"makerspace": manager.makerspace.pk, "name": "New laser"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["approval"] == "always"


# --- feature switches ----------------------------------------------------------------------------------------------


def switch_off(space, feature):
    set_rules(space, **{f"{feature}_enabled": False})


def test_waitlist_switched_off(client_for):
    entry = f.WaitlistEntryFactory()
    other = f.WaitlistEntryFactory()
    client = client_for(user=entry.user)
    space = entry.equipment.makerspace
    assert client.get(f"{MS}/waitlist/{entry.pk}/").status_code == 200
    switch_off(space, "waitlist")
    assert client.get(f"{MS}/waitlist/{entry.pk}/").status_code == 404
    assert client.post(f"{MS}/waitlist/{entry.pk}/leave/").status_code == 404
    assert client.get(f"{MS}/waitlist/").json()["count"] == 0
    assert client.get(f"{MS}/waitlist/?makerspace={space.pk}").status_code == 404
    body = {
        "equipment": entry.equipment_id,
        "starts_at": entry.starts_at.isoformat(),
        "ends_at": entry.ends_at.isoformat(),
    }
    assert client.post(f"{MS}/waitlist/", body, format="json").status_code == 404
    # another makerspace keeps its waiting list
    assert client_for(user=other.user).get(f"{MS}/waitlist/{other.pk}/").status_code == 200


def test_ratings_switched_off(client_for):
    member = f.MemberFactory()
    machine = f.EquipmentFactory(makerspace=member.makerspace)
    client = client_for(user=member.user)
    assert client.get(f"{MS}/equipment/{machine.pk}/ratings/").status_code == 200
    switch_off(member.makerspace, "ratings")
    assert client.get(f"{MS}/equipment/{machine.pk}/ratings/").status_code == 404
    assert client.post(f"{MS}/equipment/{machine.pk}/ratings/", {"score": 5}, format="json").status_code == 404


def test_badges_switched_off(client_for):
    manager = f.MemberFactory(role="manager")
    badge = f.BadgeFactory(makerspace=manager.makerspace)
    client = client_for(user=manager.user)
    assert client.get(f"{MS}/badges/{badge.pk}/").status_code == 200
    switch_off(manager.makerspace, "badges")
    assert client.get(f"{MS}/badges/{badge.pk}/").status_code == 404
    assert client.get(f"{MS}/members/{manager.pk}/badges/").status_code == 404
    assert client.get(f"{MS}/badges/").json()["count"] == 0
    body = {"makerspace": manager.makerspace.pk, "name": "Night owl", "min_sessions": 3}
    assert client.post(f"{MS}/badges/", body, format="json").status_code == 404


def test_inventory_switched_off(client_for):
    manager = f.MemberFactory(role="manager")
    item = f.InventoryItemFactory(makerspace=manager.makerspace)
    client = client_for(user=manager.user)
    assert client.get(f"{MS}/inventory/items/{item.pk}/").status_code == 200
    switch_off(manager.makerspace, "inventory")
    assert client.get(f"{MS}/inventory/items/{item.pk}/").status_code == 404
    assert client.get(f"{MS}/inventory/items/").json()["count"] == 0
    assert client.get(f"{MS}/inventory/low-stock/?makerspace={manager.makerspace.pk}").status_code == 404
    body = {"makerspace": manager.makerspace.pk, "sku": "X-1", "name": "Bolts"}
    assert client.post(f"{MS}/inventory/items/", body, format="json").status_code == 404


def test_projects_switched_off(client_for):
    member = f.MemberFactory()
    project = f.ProjectFactory(makerspace=member.makerspace, owner=member.user)
    elsewhere = f.ProjectFactory()
    client = client_for(user=member.user)
    assert client.get(f"{MS}/projects/{project.pk}/").status_code == 200
    switch_off(member.makerspace, "projects")
    assert client.get(f"{MS}/projects/{project.pk}/").status_code == 404
    assert client.get(f"{MS}/projects/{project.pk}/comments/").status_code == 404
    ids = [row["id"] for row in client.get(f"{MS}/projects/").json()["results"]]
    assert project.pk not in ids and elsewhere.pk in ids
    body = {"makerspace": member.makerspace.pk, "title": "Robot"}
    assert client.post(f"{MS}/projects/", body, format="json").status_code == 404


# --- query counts ----------------------------------------------------------------------------------------------


def test_settings_endpoints_cost_a_fixed_number_of_queries(manager, django_assert_max_num_queries):
    space = manager.makerspace
    manager.client.get(url(space))  # the row exists from here on
    with django_assert_max_num_queries(8):
        assert manager.client.get(url(space)).status_code == 200
    with django_assert_max_num_queries(8):
        assert manager.client.get(url(space, "export/")).status_code == 200


def test_switched_lists_keep_their_query_count(client_for, django_assert_num_queries):
    member = f.MemberFactory()
    client = client_for(user=member.user)
    f.WaitlistEntryFactory(member=member, user=member.user, equipment=f.EquipmentFactory(makerspace=member.makerspace))
    switch_off(f.MakerspaceFactory(), "waitlist")  # another space's switch: still one subquery, no extra query
    client.get(f"{MS}/waitlist/?page_size=1")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(f"{MS}/waitlist/?page_size=1")
    for _ in range(3):
        f.WaitlistEntryFactory(
            member=member, user=member.user, equipment=f.EquipmentFactory(makerspace=member.makerspace)
        )
    with django_assert_num_queries(len(one)):
        assert client.get(f"{MS}/waitlist/?page_size=100").json()["count"] == 4
