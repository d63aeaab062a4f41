"""Service providers: own profile, directory visibility, search by capability, material and makerspace,
verification by staff of their makerspaces."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from makerspace.models import ServiceProvider
from makerspace.tests.factories import MakerspaceFactory, MemberFactory, ServiceProviderFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/makerspace/providers"


def test_a_member_keeps_their_own_profile(client_for):
    space = MakerspaceFactory()
    user = MemberFactory(makerspace=space).user
    client = client_for(user)
    assert client.get(f"{BASE}/me/").json() == {"provider": None}
    body = {
        "display_name": "Asha Prints",
        "makerspaces": [space.pk],
        "hourly_rate": "450.00",
        "capabilities": [
            {"process": "fdm", "materials": ["PLA", "PETG", "pla"], "bed_x_mm": 256, "bed_y_mm": 256, "bed_z_mm": 256},
            {"process": "laser", "materials": ["Plywood"]},
        ],
    }
    saved = client.put(f"{BASE}/me/", body, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["verified"] is False
    assert saved.json()["capabilities"][0] == {
        "process": "fdm",
        "materials": ["petg", "pla"],
        "bed_x_mm": 256,
        "bed_y_mm": 256,
        "bed_z_mm": 256,
    }
    again = client.put(f"{BASE}/me/", {**body, "capabilities": [{"process": "cnc"}]}, format="json")
    assert [cap["process"] for cap in again.json()["capabilities"]] == ["cnc"]
    assert ServiceProvider.objects.filter(user=user).count() == 1
    elsewhere = client.put(f"{BASE}/me/", {**body, "makerspaces": [MakerspaceFactory().pk]}, format="json")
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (403, "not_makerspace_member")
    twice = client.put(f"{BASE}/me/", {**body, "capabilities": [{"process": "cnc"}, {"process": "cnc"}]}, format="json")
    assert twice.status_code == 400


def test_search_by_capability_material_and_makerspace(client_for):
    north, south = MakerspaceFactory(), MakerspaceFactory()
    fdm_north = ServiceProviderFactory(display_name="A", makerspaces=[north], capabilities=[("fdm", ",pla,")])
    resin_south = ServiceProviderFactory(display_name="B", makerspaces=[south], capabilities=[("sla", ",resin,")])
    both = ServiceProviderFactory(display_name="C", makerspaces=[north, south])
    ServiceProviderFactory(display_name="D", makerspaces=[north], verified_at=None)  # unverified: hidden
    client = client_for(MemberFactory(makerspace=north).user)

    def names(**query):
        return [row["display_name"] for row in client.get(f"{BASE}/", query).json()["results"]]

    assert names() == ["A", "B", "C"]
    assert names(capability="fdm") == ["A", "C"]
    assert names(material="PLA") == ["A", "C"]
    assert names(material="pl") == []  # whole material names, not fragments
    assert names(capability="laser", material="acrylic") == ["C"]
    assert names(makerspace=south.pk) == ["B", "C"]
    assert names(capability="sla", makerspace=north.pk) == []
    assert client.get(f"{BASE}/", {"capability": "welding"}).status_code == 400
    assert client.get(f"{BASE}/{resin_south.pk}/").status_code == 200
    assert {fdm_north.pk, both.pk}


def test_staff_verify_providers_of_their_makerspace_and_see_unverified_ones(client_for):
    north, south = MakerspaceFactory(), MakerspaceFactory()
    pending = ServiceProviderFactory(makerspaces=[north], verified_at=None)
    staff_north = client_for(MemberFactory(makerspace=north, role="staff").user)
    staff_south = client_for(MemberFactory(makerspace=south, role="staff").user)
    assert staff_south.get(f"{BASE}/{pending.pk}/").status_code == 404
    assert staff_south.post(f"{BASE}/{pending.pk}/verify/", {}, format="json").status_code == 404
    assert pending.pk in {row["id"] for row in staff_north.get(f"{BASE}/").json()["results"]}
    verified = staff_north.post(f"{BASE}/{pending.pk}/verify/", {"verified": True}, format="json")
    assert verified.status_code == 200 and verified.json()["verified"] is True
    assert staff_south.get(f"{BASE}/{pending.pk}/").status_code == 200  # now in the public directory
    refused = staff_south.post(f"{BASE}/{pending.pk}/verify/", {"verified": False}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_makerspace_staff")


def test_directory_query_count_is_fixed(client_for):
    space = MakerspaceFactory()
    ServiceProviderFactory.create_batch(6, makerspaces=[space])
    client = client_for(MemberFactory(makerspace=space).user)
    counts = []
    for size in (1, 100):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{BASE}/", {"page_size": size}).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
