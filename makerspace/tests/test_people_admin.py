"""Admin screens of people and access: invitations, skill requests, badges, intervals go through the services."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from makerspace.models import Invite, MaintenanceInterval, MemberBadge, MemberSkill, SkillRequest
from makerspace.tests import factories as f
from makerspace.tests.people_helpers import MS, count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_of(make_user):
    space = f.MakerspaceFactory()
    manager = make_user("admin-manager", roles=["makerspace_admin"])
    f.MemberFactory(user=manager, makerspace=space, role="manager")
    client = Client()
    client.force_login(manager)
    return space, manager, client


def test_admin_invite_shows_the_link_once_and_stores_the_hash(manager_of):
    space, manager, client = manager_of
    response = client.post(
        "/admin/makerspace/invite/add/",
        {"makerspace": space.pk, "email": "guest@example.test", "role": "member"},
        follow=True,
    )
    messages = [m.message for m in response.context["messages"]]
    invite = Invite.objects.get()
    assert (invite.invited_by_id, invite.email) == (manager.pk, "guest@example.test")
    link = next(m for m in messages if "shown only now" in m).rsplit(" ", 1)[1]
    token = link.rsplit("/", 1)[1]
    assert token not in invite.token_hash and len(invite.token_hash) == 64
    page = client.get(f"/admin/makerspace/invite/{invite.pk}/change/").content.decode()
    assert token not in page


def test_admin_invite_of_an_admin_is_refused_for_a_manager(manager_of):
    space, _, client = manager_of
    client.post(
        "/admin/makerspace/invite/add/", {"makerspace": space.pk, "email": "boss@example.test", "role": "admin"}
    )
    assert Invite.objects.count() == 0


def test_admin_approves_skill_requests_through_the_service(manager_of):
    space, manager, client = manager_of
    request = f.SkillRequestFactory(member=f.MemberFactory(makerspace=space))
    other = f.SkillRequestFactory()  # another makerspace: not in this manager's screen
    response = client.post(
        "/admin/makerspace/skillrequest/",
        {"action": "approve", "_selected_action": [request.pk, other.pk], "apply": "1", "expires_at": ""},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    other.refresh_from_db()
    assert (request.status, other.status) == ("approved", "pending")
    assert MemberSkill.objects.get(member=request.member).granted_by_id == manager.pk


def test_admin_rejects_with_a_reason(manager_of):
    space, _, client = manager_of
    request = f.SkillRequestFactory(member=f.MemberFactory(makerspace=space))
    page = client.post("/admin/makerspace/skillrequest/", {"action": "reject", "_selected_action": [request.pk]})
    assert page.status_code == 200 and SkillRequest.objects.get().status == "pending"  # asks for the reason first
    client.post(
        "/admin/makerspace/skillrequest/",
        {"action": "reject", "_selected_action": [request.pk], "apply": "1", "reason": "Book an induction"},
    )
    assert SkillRequest.objects.get().reason == "Book an induction"


def test_admin_creates_badge_and_interval_through_services(manager_of):
    space, manager, client = manager_of
    skill = f.SkillFactory(makerspace=space)
    response = client.post(
        "/admin/makerspace/badge/add/",
        {
            "makerspace": space.pk,
            "name": "Trained",
            "required_skills": [skill.pk],
            "min_completed_sessions": 0,
            "active": "on",
            "description": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    member = f.MemberFactory(makerspace=space)
    f.MemberSkillFactory(member=member, skill=skill)
    badge = space.badges.get()
    client.post("/admin/makerspace/badge/", {"action": "award_now", "_selected_action": [badge.pk]})
    assert list(MemberBadge.objects.values_list("member_id", flat=True)) == [member.pk]
    machine = f.EquipmentFactory(makerspace=space)
    response = client.post(
        "/admin/makerspace/maintenanceinterval/add/",
        {
            "equipment": machine.pk,
            "title": "Grease",
            "every_days": 14,
            "every_hours": "",
            "starts_at_0": timezone.now().strftime("%Y-%m-%d"),
            "starts_at_1": "08:00:00",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    assert MaintenanceInterval.objects.get().created_by_id == manager.pk


def test_member_badge_list_keeps_its_query_count(client_for):
    space = f.MakerspaceFactory()
    member = f.MemberFactory(makerspace=space)
    for n in range(20):
        MemberBadge.objects.create(member=member, badge=f.BadgeFactory(makerspace=space, name=f"B{n}"))
    client = client_for(user=member.user)
    url = f"{MS}/members/{member.pk}/badges/"
    one, _ = count_queries(client, url, {"page_size": 1})
    hundred, body = count_queries(client, url, {"page_size": 100})
    assert len(body["results"]) == 20 and hundred == one
    outsider = client_for(user=f.MemberFactory().user)
    assert outsider.get(url).status_code == 404


def test_change_pages_render(manager_of):
    space, manager, client = manager_of
    machine = f.EquipmentFactory(makerspace=space)
    objects = {
        "invite": f.InviteFactory(makerspace=space),
        "skillrequest": f.SkillRequestFactory(member=f.MemberFactory(makerspace=space)),
        "badge": f.BadgeFactory(makerspace=space),
        "safetyincident": f.SafetyIncidentFactory(equipment=machine),
        "maintenanceinterval": f.MaintenanceIntervalFactory(equipment=machine),
        "equipmentrating": f.EquipmentRatingFactory(equipment=machine),
    }
    for name, obj in objects.items():
        response = client.get(f"/admin/makerspace/{name}/{obj.pk}/change/")
        assert response.status_code == 200, name
    assert client.get("/admin/makerspace/safetyincident/add/").status_code == 200
    assert client.get("/admin/makerspace/invite/add/").status_code == 200
