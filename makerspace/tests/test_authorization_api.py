"""Who may act, through the API: the member rules, skills, live machine status and tenant isolation."""

from __future__ import annotations

import pytest

from makerspace.models import Member, MemberSkill
from makerspace.services import members as member_services
from makerspace.services import skills as skill_services
from makerspace.tests import factories as f
from makrx.auth.scoping import SYSTEM
from makrx.errors import PermissionDenied

pytestmark = pytest.mark.django_db

MS = "/api/v1/makerspace"


@pytest.fixture
def space(client_for):
    """Makerspace A with a member, staff, manager and admin (each with an API client), and makerspace B."""
    a, b = f.MakerspaceFactory(name="Alpha"), f.MakerspaceFactory(name="Beta")
    people = {"A": a, "B": b}
    for role in ("member", "staff", "manager", "admin"):
        membership = f.MemberFactory(makerspace=a, role=role)
        people[role] = membership
        people[f"{role}_client"] = client_for(user=membership.user)
    staff_b = f.MemberFactory(makerspace=b, role="staff")
    people["staff_b"], people["staff_b_client"] = staff_b, client_for(user=staff_b.user)
    people["stranger_client"] = client_for()
    people["platform_client"] = client_for(roles=["admin"])
    return people


def role_of(member: Member) -> str:
    member.refresh_from_db()
    return member.role


# --- the admin role ------------------------------------------------------------------------------


def test_only_a_space_admin_grants_the_admin_role(space):
    member = space["member"]
    refused = space["manager_client"].patch(f"{MS}/members/{member.pk}/", {"role": "admin"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_makerspace_admin"
    assert role_of(member) == "member"

    granted = space["admin_client"].patch(f"{MS}/members/{member.pk}/", {"role": "admin"}, format="json")
    assert granted.status_code == 200 and role_of(member) == "admin"


def test_platform_admin_grants_the_admin_role(space):
    member = space["member"]
    response = space["platform_client"].patch(f"{MS}/members/{member.pk}/", {"role": "admin"}, format="json")
    assert response.status_code == 200 and role_of(member) == "admin"


def test_manager_cannot_demote_or_suspend_an_admin(space):
    admin = space["admin"]
    demote = space["manager_client"].patch(f"{MS}/members/{admin.pk}/", {"role": "member"}, format="json")
    suspend = space["manager_client"].post(f"{MS}/members/{admin.pk}/suspend/", {"reason": "x"}, format="json")
    assert demote.status_code == 403 and demote.json()["code"] == "not_makerspace_admin"
    assert suspend.status_code == 403 and suspend.json()["code"] == "not_makerspace_admin"
    admin.refresh_from_db()
    assert (admin.role, admin.status) == ("admin", "active")


def test_a_space_admin_suspends_a_manager(space):
    manager = space["manager"]
    response = space["admin_client"].post(f"{MS}/members/{manager.pk}/suspend/", {"reason": "x"}, format="json")
    assert response.status_code == 200
    manager.refresh_from_db()
    assert manager.status == "suspended"


def test_staff_cannot_reject_a_pending_admin(space):
    pending_admin = f.MemberFactory(makerspace=space["A"], role="admin", status="pending")
    response = space["staff_client"].post(f"{MS}/members/{pending_admin.pk}/reject/", {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_makerspace_admin"


def test_manager_cannot_expire_an_admin_and_none_is_not_the_system(space):
    with pytest.raises(PermissionDenied) as refused:
        member_services.member_expire(member=space["admin"], actor=space["manager"].user)
    assert refused.value.code == "not_makerspace_admin"
    with pytest.raises(PermissionDenied):
        member_services.member_expire(member=space["member"], actor=None)
    expired = member_services.member_expire(member=space["member"], actor=SYSTEM, reason="subscription ended")
    assert expired.status == "expired"
    # The system path is member_expire's only: SYSTEM may not suspend or approve anyone.
    with pytest.raises(PermissionDenied):
        member_services.member_suspend(member=space["staff"], actor=SYSTEM, reason="x")


# --- own membership ------------------------------------------------------------------------------


def test_manager_cannot_act_on_their_own_membership(space):
    manager = space["manager"]
    client = space["manager_client"]
    suspend = client.post(f"{MS}/members/{manager.pk}/suspend/", {"reason": "x"}, format="json")
    role = client.patch(f"{MS}/members/{manager.pk}/", {"role": "staff"}, format="json")
    assert suspend.status_code == 403 and suspend.json()["code"] == "own_membership"
    assert role.status_code == 403 and role.json()["code"] == "own_membership"
    manager.refresh_from_db()
    assert (manager.role, manager.status) == ("manager", "active")


def test_staff_cannot_grant_or_revoke_their_own_skills(space):
    staff = space["staff"]
    skill = f.SkillFactory(makerspace=space["A"])
    grant = space["staff_client"].post(f"{MS}/members/{staff.pk}/skills/", {"skill": skill.pk}, format="json")
    assert grant.status_code == 403 and grant.json()["code"] == "own_membership"
    assert not MemberSkill.objects.filter(member=staff).exists()

    skill_services.member_skill_grant(member=staff, skill=skill, actor=space["manager"].user)
    revoke = space["staff_client"].delete(f"{MS}/members/{staff.pk}/skills/{skill.pk}/")
    assert revoke.status_code == 403 and revoke.json()["code"] == "own_membership"
    assert MemberSkill.objects.get(member=staff).revoked_at is None


def test_staff_grant_skills_to_others(space):
    skill = f.SkillFactory(makerspace=space["A"])
    member = space["member"]
    response = space["staff_client"].post(f"{MS}/members/{member.pk}/skills/", {"skill": skill.pk}, format="json")
    assert response.status_code == 201
    assert MemberSkill.objects.get(member=member).granted_by == space["staff"].user


def test_nobody_approves_their_own_pending_membership(space, client_for):
    pending = f.MemberFactory(makerspace=space["A"], role="staff", status="pending")
    response = client_for(user=pending.user).post(f"{MS}/members/{pending.pk}/approve/", {}, format="json")
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


# --- live status of machines -----------------------------------------------------------------------


def test_strangers_and_other_spaces_see_only_public_machine_fields(space):
    machine = f.EquipmentFactory(makerspace=space["A"], description="Nozzle 0.4", location="Room 2")
    f.UsageSessionFactory(equipment=machine, user=space["member"].user, member=space["member"])
    for who in ("stranger_client", "staff_b_client"):
        client = space[who]
        rows = client.get(f"{MS}/equipment/", {"makerspace": space["A"].pk}).json()["results"]
        assert set(rows[0]) == {"id", "makerspace", "name", "slug", "equipment_type", "status"}, who
        assert client.get(f"{MS}/equipment/{machine.pk}/").status_code == 403, who
        history = client.get(f"{MS}/equipment/{machine.pk}/status/")
        assert history.status_code == 403 and history.json()["code"] == "not_makerspace_member", who
    member_view = space["member_client"].get(f"{MS}/equipment/{machine.pk}/")
    assert member_view.status_code == 200 and member_view.json()["location"] == "Room 2"
    assert space["member_client"].get(f"{MS}/equipment/{machine.pk}/status/").status_code == 200


def test_ticket_titles_and_windows_stay_inside_the_space(space):
    machine = f.EquipmentFactory(makerspace=space["A"])
    ticket = f.MaintenanceTicketFactory(equipment=machine, title="Hot end leaking")
    window = f.MaintenanceWindowFactory(equipment=machine)
    for who in ("stranger_client", "staff_b_client"):
        client = space[who]
        assert client.get(f"{MS}/maintenance/tickets/").json()["count"] == 0, who
        assert client.get(f"{MS}/maintenance/tickets/{ticket.pk}/").status_code == 404, who
        assert client.get(f"{MS}/maintenance/windows/").json()["count"] == 0, who
        assert client.get(f"{MS}/maintenance/windows/{window.pk}/").status_code == 404, who
    titles = [row["title"] for row in space["member_client"].get(f"{MS}/maintenance/tickets/").json()["results"]]
    assert titles == ["Hot end leaking"]


# --- tenant isolation -----------------------------------------------------------------------------


def test_staff_of_b_cannot_touch_a(space):
    member = space["member"]
    client = space["staff_b_client"]
    machine = f.EquipmentFactory(makerspace=space["A"])
    assert client.get(f"{MS}/members/{member.pk}/").status_code == 404
    assert client.post(f"{MS}/members/{member.pk}/suspend/", {"reason": "x"}, format="json").status_code == 404
    status = client.post(f"{MS}/equipment/{machine.pk}/status/", {"status": "offline"}, format="json")
    assert status.status_code == 403 and status.json()["code"] == "not_makerspace_staff"
    plan = client.post(f"{MS}/plans/", {"makerspace": space["A"].pk, "name": "Sneaky", "price": "1"}, format="json")
    assert plan.status_code == 403 and plan.json()["code"] == "not_makerspace_manager"
    machine.refresh_from_db()
    assert machine.status == "available"


def test_member_add_service_refuses_the_admin_role_to_a_manager(make_user):
    space = f.MakerspaceFactory()
    manager = f.MemberFactory(makerspace=space, role="manager").user
    admin_user = f.MemberFactory(makerspace=space, role="admin").user
    newcomer = make_user("added")

    with pytest.raises(PermissionDenied) as refused:
        member_services.member_add(makerspace=space, user=newcomer, actor=manager, role="admin")
    assert refused.value.code == "not_makerspace_admin"
    assert not Member.objects.filter(user=newcomer).exists()

    member = member_services.member_add(makerspace=space, user=newcomer, actor=admin_user, role="admin")
    assert (member.role, member.status) == ("admin", "active")
