"""Members API: scoped list, approve/reject/suspend/reactivate with history, role changes, /auth/me memberships."""

from __future__ import annotations

import pytest

from makerspace.models import Member, MemberEvent
from makerspace.selectors.members import memberships_for_user
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/makerspace/members/"


def staff_client(client_for, makerspace, role="manager"):
    client = client_for(roles=["makerspace_admin"])
    client.member = f.MemberFactory(user=client.user, makerspace=makerspace, role=role)
    return client


def test_list_is_scoped_to_staffed_makerspaces_and_own_memberships(client_for):
    a, b = f.MakerspaceFactory(), f.MakerspaceFactory()
    f.MemberFactory.create_batch(3, makerspace=a)
    f.MemberFactory.create_batch(2, makerspace=b)
    staff_a = staff_client(client_for, a, role="staff")

    rows = staff_a.get(URL).json()["results"]
    assert {row["makerspace"] for row in rows} == {a.pk}
    assert len(rows) == 4
    assert staff_a.get(URL, {"makerspace": b.pk}).json()["count"] == 0

    plain = client_for(user=Member.objects.filter(makerspace=b, role="member").first().user)
    assert [row["makerspace"] for row in plain.get(URL).json()["results"]] == [b.pk]


def test_bad_makerspace_filter_is_400(client_for):
    response = client_for().get(URL, {"makerspace": "abc"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_staff_approves_pending_member_with_history(client_for):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space, role="staff")
    pending = f.MemberFactory(makerspace=space, status="pending", joined_at=None)

    response = staff.post(f"{URL}{pending.pk}/approve/", {"reason": "welcome"}, format="json")

    assert response.status_code == 200 and response.json()["status"] == "active"
    pending.refresh_from_db()
    assert pending.joined_at is not None
    event = MemberEvent.objects.get(member=pending)
    assert (event.from_status, event.to_status, event.actor_id, event.reason) == (
        "pending",
        "active",
        staff.user.pk,
        "welcome",
    )


def test_reject_then_approve_is_invalid_transition(client_for):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space, role="staff")
    pending = f.MemberFactory(makerspace=space, status="pending")

    assert staff.post(f"{URL}{pending.pk}/reject/", {}, format="json").json()["status"] == "rejected"
    again = staff.post(f"{URL}{pending.pk}/approve/", {}, format="json")

    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


@pytest.mark.parametrize(
    "status,action",
    [
        ("active", "approve"),
        ("active", "reject"),
        ("active", "reactivate"),
        ("pending", "suspend"),
        ("pending", "reactivate"),
        ("suspended", "suspend"),
    ],
)
def test_illegal_transitions_are_409(client_for, status, action):
    space = f.MakerspaceFactory()
    manager = staff_client(client_for, space)
    member = f.MemberFactory(makerspace=space, status=status)

    response = manager.post(f"{URL}{member.pk}/{action}/", {"reason": "x"}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    member.refresh_from_db()
    assert member.status == status
    assert not MemberEvent.objects.filter(member=member).exists()


def test_suspend_requires_reason_and_manager(client_for):
    space = f.MakerspaceFactory()
    member = f.MemberFactory(makerspace=space)
    staff = staff_client(client_for, space, role="staff")
    manager = staff_client(client_for, space)

    assert staff.post(f"{URL}{member.pk}/suspend/", {"reason": "x"}, format="json").status_code == 403
    missing = manager.post(f"{URL}{member.pk}/suspend/", {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["errors"]
    blank = manager.post(f"{URL}{member.pk}/suspend/", {"reason": ""}, format="json")
    assert blank.status_code == 400

    ok = manager.post(f"{URL}{member.pk}/suspend/", {"reason": "Left the laser unattended"}, format="json")
    assert ok.status_code == 200
    member.refresh_from_db()
    assert (member.status, member.status_reason) == ("suspended", "Left the laser unattended")

    back = manager.post(f"{URL}{member.pk}/reactivate/", {}, format="json")
    assert back.json()["status"] == "active"
    assert list(MemberEvent.objects.filter(member=member).values_list("to_status", flat=True)) == [
        "active",
        "suspended",
    ]


def test_staff_of_a_cannot_touch_members_of_b(client_for):
    a, b = f.MakerspaceFactory(), f.MakerspaceFactory()
    manager_a = staff_client(client_for, a)
    pending_b = f.MemberFactory(makerspace=b, status="pending")

    for action in ("approve", "reject", "suspend", "reactivate"):
        response = manager_a.post(f"{URL}{pending_b.pk}/{action}/", {"reason": "x"}, format="json")
        assert response.status_code == 404
    assert manager_a.get(f"{URL}{pending_b.pk}/").status_code == 404
    assert manager_a.patch(f"{URL}{pending_b.pk}/", {"role": "staff"}, format="json").status_code == 404
    pending_b.refresh_from_db()
    assert pending_b.status == "pending"


def test_member_cannot_approve_themselves(client_for):
    space = f.MakerspaceFactory()
    pending = f.MemberFactory(makerspace=space, status="pending")
    response = client_for(user=pending.user).post(f"{URL}{pending.pk}/approve/", {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_makerspace_staff"


def test_role_change_by_manager_with_admin_guard(client_for):
    space = f.MakerspaceFactory()
    manager = staff_client(client_for, space)
    admin = staff_client(client_for, space, role="admin")
    member = f.MemberFactory(makerspace=space)

    ok = manager.patch(f"{URL}{member.pk}/", {"role": "staff", "reason": "trainer"}, format="json")
    assert ok.status_code == 200 and ok.json()["role"] == "staff"
    assert ok.json()["events"][0]["to_role"] == "staff"

    assert manager.patch(f"{URL}{member.pk}/", {"role": "admin"}, format="json").status_code == 403
    assert manager.patch(f"{URL}{manager.member.pk}/", {"role": "admin"}, format="json").status_code == 403
    assert manager.patch(f"{URL}{member.pk}/", {"role": "overlord"}, format="json").status_code == 400
    assert admin.patch(f"{URL}{member.pk}/", {"role": "admin"}, format="json").json()["role"] == "admin"


def test_platform_admin_manages_every_makerspace(client_for):
    member = f.MemberFactory(status="pending")
    response = client_for(roles=["admin"]).post(f"{URL}{member.pk}/approve/", {}, format="json")
    assert response.status_code == 200


def test_suspended_manager_loses_powers(client_for):
    space = f.MakerspaceFactory()
    manager = staff_client(client_for, space)
    Member.objects.filter(pk=manager.member.pk).update(status="suspended")
    other = f.MemberFactory(makerspace=space, status="pending")
    assert manager.post(f"{URL}{other.pk}/approve/", {}, format="json").status_code in (403, 404)


def test_memberships_for_user_shape():
    member = f.MemberFactory(role="staff")
    assert memberships_for_user(member.user) == [
        {
            "makerspace": member.makerspace_id,
            "makerspace_slug": member.makerspace.slug,
            "makerspace_name": member.makerspace.name,
            "role": "staff",
            "status": "active",
        }
    ]


def test_member_list_has_fixed_query_count(client_for, django_assert_max_num_queries):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space)
    plan = f.MembershipPlanFactory(makerspace=space)
    f.MemberFactory.create_batch(8, makerspace=space, plan=plan)
    with django_assert_max_num_queries(6):
        assert len(staff.get(URL, {"page_size": 1}).json()["results"]) == 1
    with django_assert_max_num_queries(6):
        assert len(staff.get(URL, {"page_size": 100}).json()["results"]) == 9


def test_member_detail_has_fixed_query_count(client_for, django_assert_max_num_queries):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space)
    member = f.MemberFactory(makerspace=space)
    f.MemberEventFactory.create_batch(10, member=member, actor=staff.user)
    with django_assert_max_num_queries(6):
        assert len(staff.get(f"{URL}{member.pk}/").json()["events"]) == 10


def test_auth_me_lists_memberships(client_for):
    member = f.MemberFactory(role="manager")
    pending = f.MemberFactory(user=member.user, status="pending")

    body = client_for(user=member.user).get("/api/v1/auth/me").json()

    assert sorted((m["makerspace"], m["role"], m["status"]) for m in body["memberships"]) == sorted(
        [(member.makerspace_id, "manager", "active"), (pending.makerspace_id, "member", "pending")]
    )
