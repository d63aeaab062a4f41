"""The space settings admin: scoped to the manager's spaces, edits through the service, JSON export action."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from makerspace.models import SpaceSettings
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_of(make_user):
    space = f.MakerspaceFactory()
    manager = make_user("settings-manager", roles=["makerspace_admin"])
    f.MemberFactory(user=manager, makerspace=space, role="manager")
    client = Client()
    client.force_login(manager)
    return space, manager, client


def form_data(row, **changes):
    data = {
        "min_booking_minutes": row.min_booking_minutes,
        "max_booking_minutes": row.max_booking_minutes,
        "lead_time_minutes": row.lead_time_minutes,
        "booking_horizon_days": row.booking_horizon_days,
        "cancel_cutoff_minutes": row.cancel_cutoff_minutes,
        "default_approval": row.default_approval,
        "tax_rate_percent": str(row.tax_rate_percent),
        "currency": row.currency,
        "service_capabilities": json.dumps(row.service_capabilities),
        "waitlist_enabled": "on",
        "ratings_enabled": "on",
        "badges_enabled": "on",
        "projects_enabled": "on",
        "inventory_enabled": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_manager_edits_own_space_only(manager_of):
    space, _manager, client = manager_of
    row = SpaceSettings.objects.create(makerspace=space)
    other = SpaceSettings.objects.create(makerspace=f.MakerspaceFactory())
    listing = client.get("/admin/makerspace/spacesettings/")
    assert listing.status_code == 200
    assert client.get(f"/admin/makerspace/spacesettings/{other.pk}/change/").status_code in (302, 404)
    response = client.post(
        f"/admin/makerspace/spacesettings/{row.pk}/change/", form_data(row, lead_time_minutes=90, waitlist_enabled=None)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert (row.lead_time_minutes, row.waitlist_enabled) == (90, False)


def test_bad_values_show_form_errors(manager_of):
    space, _manager, client = manager_of
    row = SpaceSettings.objects.create(makerspace=space)
    response = client.post(
        f"/admin/makerspace/spacesettings/{row.pk}/change/",
        form_data(row, min_booking_minutes=120, max_booking_minutes=60, service_capabilities='["teleporter"]'),
    )
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.min_booking_minutes == 5


def test_export_action(manager_of):
    space, _manager, client = manager_of
    row = SpaceSettings.objects.create(makerspace=space, lead_time_minutes=15)
    response = client.post("/admin/makerspace/spacesettings/", {"action": "export_json", "_selected_action": [row.pk]})
    assert response.status_code == 200
    document = json.loads(response.content)[space.slug]
    assert document["settings"]["lead_time_minutes"] == 15
