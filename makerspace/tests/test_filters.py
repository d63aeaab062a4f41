"""List filters (django-filter) of the makerspace API: they filter, and bad values are 400s in the error format."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db

MS = "/api/v1/makerspace"


def test_reservations_filter_by_makerspace_status_and_time(client_for):
    a, b = f.MakerspaceFactory(), f.MakerspaceFactory()
    mine = f.ReservationFactory(equipment=f.EquipmentFactory(makerspace=a))
    f.ReservationFactory(equipment=f.EquipmentFactory(makerspace=b))
    client = client_for(roles=["admin"])
    rows = client.get(f"{MS}/reservations/", {"makerspace": a.pk}).json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    after = (mine.ends_at + timedelta(minutes=1)).isoformat()
    assert client.get(f"{MS}/reservations/", {"makerspace": a.pk, "starts_after": after}).json()["count"] == 0
    assert client.get(f"{MS}/reservations/", {"status": "cancelled"}).json()["count"] == 0


def test_open_usage_sessions_filter(client_for):
    machine = f.EquipmentFactory()
    running = f.UsageSessionFactory(equipment=machine)
    f.UsageSessionFactory(equipment=f.EquipmentFactory(), ended_at=timezone.now() + timedelta(minutes=5))
    client = client_for(roles=["admin"])
    assert [row["id"] for row in client.get(f"{MS}/usage-sessions/", {"open": "true"}).json()["results"]] == [
        running.pk
    ]
    assert client.get(f"{MS}/usage-sessions/", {"open": "false"}).json()["count"] == 2


@pytest.mark.parametrize(
    "resource,params",
    [
        ("reservations", {"status": "zzz"}),
        ("reservations", {"starts_after": "2030-01-01T10:00:00"}),  # naive: ambiguous
        ("reservations", {"equipment": "1.5"}),
        ("members", {"makerspace": "99999999999999999999"}),
        ("equipment", {"equipment_type": "spaceship"}),
        ("usage-sessions", {"open": "maybe"}),
        ("equipment", {"active": "perhaps"}),
        ("maintenance/tickets", {"priority": "urgent!"}),
    ],
)
def test_bad_filter_values_are_400_in_the_error_format(client_for, resource, params):
    response = client_for(roles=["admin"]).get(f"{MS}/{resource}/", params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert {"detail", "code", "request_id", "errors"} <= set(body)
    assert set(body["errors"]) == set(params)
