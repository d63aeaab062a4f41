"""Makerspaces API: list, create, edit, join flows, opening hours, closures, tenant isolation."""

from __future__ import annotations

import pytest

from makerspace.models import Makerspace, Member, MemberEvent
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/makerspace/makerspaces/"


def manager_client(client_for, makerspace, role="manager"):
    client = client_for(roles=["makerspace_admin"])
    f.MemberFactory(user=client.user, makerspace=makerspace, role=role)
    return client


def test_anyone_signed_in_lists_active_makerspaces_only(client_for):
    f.MakerspaceFactory(name="Open one")
    f.MakerspaceFactory(name="Closed one", active=False)

    response = client_for().get(URL)

    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Open one"]
    assert len(response.json()["results"][0]["opening_hours"]) == 7


def test_anonymous_gets_401(api_client):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_platform_admin_creates_makerspace(client_for):
    response = client_for(roles=["admin"]).post(
        URL, {"name": "MakrX Cave Pune", "timezone": "Asia/Kolkata", "join_policy": "open"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "makrx-cave-pune"
    assert Makerspace.objects.get(slug="makrx-cave-pune").timezone == "Asia/Kolkata"


def test_create_refuses_non_admin_bad_timezone_and_duplicate_slug(client_for):
    assert client_for(roles=["makerspace_admin"]).post(URL, {"name": "X"}, format="json").status_code == 403
    admin = client_for(roles=["admin"])
    bad = admin.post(URL, {"name": "X", "timezone": "Nowhere/Land"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "timezone" in bad.json()["errors"]
    f.MakerspaceFactory(slug="taken")
    dup = admin.post(URL, {"name": "Taken", "slug": "taken"}, format="json")
    assert dup.status_code == 409 and dup.json()["code"] == "duplicate"


@pytest.mark.parametrize(
    "body", ["not json", "[1,2]", '{"name": 5, "active": "maybe"}', '{"name": "' + "x" * 500 + '"}']
)
def test_malformed_bodies_are_4xx(client_for, body):
    response = client_for(roles=["admin"]).post(URL, body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "code" in response.json()


def test_manager_edits_own_makerspace_but_not_another(client_for):
    mine, theirs = f.MakerspaceFactory(), f.MakerspaceFactory()
    client = manager_client(client_for, mine)

    ok = client.patch(f"{URL}{mine.pk}/", {"address": "New street", "join_policy": "open"}, format="json")
    assert ok.status_code == 200 and ok.json()["address"] == "New street"

    refused = client.patch(f"{URL}{theirs.pk}/", {"address": "Hijacked"}, format="json")
    assert refused.status_code == 403
    theirs.refresh_from_db()
    assert theirs.address != "Hijacked"


def test_plain_member_and_staff_cannot_edit(client_for):
    space = f.MakerspaceFactory()
    for role in ("member", "staff"):
        client = manager_client(client_for, space, role=role)
        assert client.patch(f"{URL}{space.pk}/", {"name": "Mine now"}, format="json").status_code == 403


def test_inactive_makerspace_is_404_for_outsiders_but_visible_to_its_manager(client_for):
    space = f.MakerspaceFactory(active=False)
    assert client_for().get(f"{URL}{space.pk}/").status_code == 404
    assert manager_client(client_for, space).get(f"{URL}{space.pk}/").status_code == 200


def test_join_open_makerspace_is_active_at_once(client_for):
    space = f.MakerspaceFactory(join_policy="open")
    client = client_for()

    response = client.post(f"{URL}{space.pk}/join/")

    assert response.status_code == 201
    member = Member.objects.get(user=client.user, makerspace=space)
    assert member.status == "active" and member.joined_at is not None
    assert MemberEvent.objects.filter(member=member, to_status="active").exists()


def test_join_approval_makerspace_is_pending_and_duplicate_is_409(client_for):
    space = f.MakerspaceFactory(join_policy="approval")
    client = client_for()

    assert client.post(f"{URL}{space.pk}/join/").json()["status"] == "pending"
    again = client.post(f"{URL}{space.pk}/join/")

    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    assert Member.objects.filter(user=client.user, makerspace=space).count() == 1


def test_rejected_user_may_ask_again_but_suspended_may_not(client_for):
    space = f.MakerspaceFactory(join_policy="approval")
    rejected = f.MemberFactory(makerspace=space, status="rejected")
    suspended = f.MemberFactory(makerspace=space, status="suspended")

    assert client_for(user=rejected.user).post(f"{URL}{space.pk}/join/").json()["status"] == "pending"
    response = client_for(user=suspended.user).post(f"{URL}{space.pk}/join/")
    assert response.status_code == 409 and response.json()["code"] == "duplicate"


def test_opening_hours_replace_week_and_refuse_overlaps(client_for):
    space = f.MakerspaceFactory(with_hours=False)
    client = manager_client(client_for, space)
    url = f"{URL}{space.pk}/opening-hours/"

    ok = client.put(
        url,
        {
            "intervals": [
                {"weekday": 0, "opens": "09:00", "closes": "13:00"},
                {"weekday": 0, "opens": "14:00", "closes": "21:00"},
                {"weekday": 5, "opens": "10:00", "closes": "16:00"},
            ]
        },
        format="json",
    )
    assert ok.status_code == 200, ok.content
    assert space.opening_hours.count() == 3

    overlap = client.put(
        url,
        {
            "intervals": [
                {"weekday": 1, "opens": "09:00", "closes": "13:00"},
                {"weekday": 1, "opens": "12:00", "closes": "15:00"},
            ]
        },
        format="json",
    )
    backwards = client.put(url, {"intervals": [{"weekday": 1, "opens": "18:00", "closes": "09:00"}]}, format="json")
    bad_day = client.put(url, {"intervals": [{"weekday": 7, "opens": "09:00", "closes": "10:00"}]}, format="json")
    assert overlap.status_code == backwards.status_code == bad_day.status_code == 400
    assert space.opening_hours.count() == 3
    assert client_for().put(url, {"intervals": []}, format="json").status_code == 403


def test_closures_create_list_delete(client_for):
    space = f.MakerspaceFactory()
    client = manager_client(client_for, space)
    url = f"{URL}{space.pk}/closures/"

    created = client.post(
        url, {"starts_on": "2026-12-24", "ends_on": "2026-12-26", "reason": "Holidays"}, format="json"
    )
    assert created.status_code == 201
    assert client.post(url, {"starts_on": "2026-12-24", "ends_on": "2026-12-01"}, format="json").status_code == 400
    assert client_for().get(url).json()["count"] == 1
    assert (
        client_for().post(url, {"starts_on": "2026-12-24", "ends_on": "2026-12-24"}, format="json").status_code == 403
    )

    assert client.delete(f"{url}{created.json()['id']}/").status_code == 204
    assert space.closures.count() == 0


def test_makerspace_list_has_fixed_query_count(client_for, django_assert_max_num_queries):
    client = client_for()
    for _ in range(5):
        f.ClosureFactory(makerspace=f.MakerspaceFactory())
    with django_assert_max_num_queries(6):
        assert len(client.get(URL, {"page_size": 1}).json()["results"]) == 1
    with django_assert_max_num_queries(6):
        assert len(client.get(URL, {"page_size": 100}).json()["results"]) == 5


def test_closure_list_has_fixed_query_count(client_for, django_assert_max_num_queries):
    space = f.MakerspaceFactory()
    for day in range(1, 8):
        f.ClosureFactory(makerspace=space, starts_on=f"2026-12-0{day}", ends_on=f"2026-12-0{day}")
    client = client_for()
    url = f"{URL}{space.pk}/closures/"
    with django_assert_max_num_queries(6):
        assert len(client.get(url, {"page_size": 1}).json()["results"]) == 1
    with django_assert_max_num_queries(6):
        assert len(client.get(url, {"page_size": 100}).json()["results"]) == 7


def test_patch_refuses_unknown_timezone_and_keeps_old_one(client_for):
    space = f.MakerspaceFactory(timezone="Asia/Kolkata")
    response = manager_client(client_for, space).patch(
        f"{URL}{space.pk}/", {"timezone": "Asia/Atlantis"}, format="json"
    )
    assert response.status_code == 400 and "timezone" in response.json()["errors"]
    space.refresh_from_db()
    assert space.timezone == "Asia/Kolkata"


def test_join_inactive_makerspace_is_404(client_for):
    space = f.MakerspaceFactory(active=False, join_policy="open")
    assert client_for().post(f"{URL}{space.pk}/join/").status_code == 404
    assert not Member.objects.filter(makerspace=space).exists()


@pytest.mark.parametrize("zone", ["x" * 5000, "Asia/" + "K" * 300, "../../etc/passwd", "\x00"])
def test_hostile_timezones_are_400(client_for, zone):
    """Regression (fuzzing): a time zone name too long for a file name raised OSError in the validator → 500."""
    response = client_for(roles=["admin"]).post(URL, {"name": "Hostile", "timezone": zone}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert not Makerspace.objects.filter(name="Hostile").exists()
