"""Badges awarded automatically and once; safety incidents (staff only) suspending a member's skills for a machine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from makerspace.models import MemberBadge, MemberSkill, MemberSkillEvent, SafetyIncident
from makerspace.services import badges as badge_services
from makerspace.services import skills as skill_services
from makerspace.services.access import member_can_use_equipment
from makerspace.tasks import award_badges_task
from makerspace.tests import factories as f
from makerspace.tests.people_helpers import MS, count_queries, staff_client
from makrx.errors import ConflictError

pytestmark = pytest.mark.django_db


def finished_sessions(member, n):
    equipment = f.EquipmentFactory(makerspace=member.makerspace)
    start = timezone.now() - timedelta(days=10)
    for i in range(n):
        f.UsageSessionFactory(
            equipment=equipment,
            member=member,
            started_at=start + timedelta(hours=2 * i),
            ended_at=start + timedelta(hours=2 * i + 1),
            duration_minutes=60,
        )


def test_badge_for_sessions_is_awarded_once_however_often_the_sweep_runs(
    client_for, django_capture_on_commit_callbacks
):
    space = f.MakerspaceFactory()
    manager = staff_client(client_for, space)
    response = manager.post(
        f"{MS}/badges/", {"makerspace": space.pk, "name": "Regular", "min_completed_sessions": 3}, format="json"
    )
    assert response.status_code == 201, response.json()
    regular, newcomer = f.MemberFactory(makerspace=space), f.MemberFactory(makerspace=space)
    finished_sessions(regular, 3)
    finished_sessions(newcomer, 2)
    f.UsageSessionFactory(member=newcomer, equipment=f.EquipmentFactory(makerspace=space))  # still running

    with django_capture_on_commit_callbacks(execute=True):
        assert award_badges_task.delay().get() == 1
    assert award_badges_task.delay().get() == 0
    assert badge_services.badges_award() == []

    assert list(MemberBadge.objects.values_list("member_id", flat=True)) == [regular.pk]
    assert [m.to for m in mail.outbox] == [[regular.user.email]] and "Regular" in mail.outbox[0].subject
    rows = client_for(user=regular.user).get(f"{MS}/members/{regular.pk}/badges/").json()["results"]
    assert [row["name"] for row in rows] == ["Regular"]


def test_skill_badge_is_awarded_at_the_grant(make_user):
    space = f.MakerspaceFactory()
    staff = make_user("trainer")
    f.MemberFactory(user=staff, makerspace=space, role="staff")
    laser, safety = f.SkillFactory(makerspace=space, name="Laser", level=2), f.SkillFactory(makerspace=space)
    badge = badge_services.badge_create(
        makerspace=space, name="Laser pro", required_skills=[laser, safety], actor=make_user("boss", roles=["admin"])
    )
    member = f.MemberFactory(makerspace=space)
    skill_services.member_skill_grant(member=member, skill=safety, actor=staff)
    assert not MemberBadge.objects.exists()
    higher = f.SkillFactory(makerspace=space, name="Laser", level=3)  # a higher level satisfies level 2
    skill_services.member_skill_grant(member=member, skill=higher, actor=staff)
    assert list(MemberBadge.objects.values_list("member_id", "badge_id")) == [(member.pk, badge.pk)]
    skill_services.member_skill_grant(member=member, skill=higher, actor=staff)  # renewal: still one award
    assert MemberBadge.objects.count() == 1


def test_badge_needs_criteria_and_own_space_skills(client_for):
    space = f.MakerspaceFactory()
    manager = staff_client(client_for, space)
    url = f"{MS}/badges/"
    assert manager.post(url, {"makerspace": space.pk, "name": "Empty"}, format="json").status_code == 400
    foreign = f.SkillFactory()
    body = {"makerspace": space.pk, "name": "X", "required_skills": [foreign.pk]}
    assert manager.post(url, body, format="json").status_code == 400
    staff = staff_client(client_for, space, role="staff")
    body = {"makerspace": space.pk, "name": "Y", "min_completed_sessions": 1}
    assert staff.post(url, body, format="json").status_code == 403
    assert manager.post(url, body, format="json").status_code == 201
    again = manager.post(url, body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "duplicate"


def test_badge_lists_keep_their_query_count(client_for):
    space = f.MakerspaceFactory()
    manager = staff_client(client_for, space)
    skills = f.SkillFactory.create_batch(3, makerspace=space)
    for n in range(20):
        badge_services.badge_create(
            makerspace=space, name=f"B{n}", required_skills=skills[: 1 + n % 3], actor=manager.user
        )
    one, _ = count_queries(manager, f"{MS}/badges/", {"page_size": 1})
    hundred, body = count_queries(manager, f"{MS}/badges/", {"page_size": 100})
    assert len(body["results"]) == 20 and hundred == one


# --- incidents ----------------------------------------------------------------------------------------------------


def machine_with_skill(space):
    skill = f.SkillFactory(makerspace=space, name="Lathe", level=1)
    equipment = f.EquipmentFactory(makerspace=space)
    equipment.required_skills.set([skill])
    return equipment, skill


def test_severe_incident_suspends_the_members_skill_for_that_machine_until_reinstated(client_for):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space, role="staff")
    equipment, skill = machine_with_skill(space)
    member = f.MemberFactory(makerspace=space)
    grant = f.MemberSkillFactory(member=member, skill=f.SkillFactory(makerspace=space, name="Lathe", level=2))
    other = f.MemberSkillFactory(member=member, skill=f.SkillFactory(makerspace=space, name="Laser"))
    now = timezone.now()
    member_can_use_equipment(member=member, equipment=equipment, at=now)

    response = staff.post(
        f"{MS}/incidents/",
        {
            "equipment": equipment.pk,
            "member": member.pk,
            "severity": "severe",
            "description": "Hand near the chuck",
            "suspend_skills": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["suspended_grants"]) == ("open", [grant.pk])
    grant.refresh_from_db()
    other.refresh_from_db()
    assert grant.suspended_at is not None and other.suspended_at is None
    with pytest.raises(ConflictError) as refused:
        member_can_use_equipment(member=member, equipment=equipment, at=timezone.now())
    assert refused.value.code == "skill_required"
    assert MemberSkillEvent.objects.filter(grant=grant, action="suspend").count() == 1

    pk = body["id"]
    assert staff.post(f"{MS}/incidents/{pk}/investigate/").json()["status"] == "investigating"
    again = staff.post(f"{MS}/incidents/{pk}/investigate/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    closed = staff.post(f"{MS}/incidents/{pk}/close/", {"reinstate_skills": True, "actions_taken": "retrained"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    grant.refresh_from_db()
    assert grant.suspended_at is None
    member_can_use_equipment(member=member, equipment=equipment, at=timezone.now())
    assert MemberSkillEvent.objects.filter(grant=grant, action="reinstate").count() == 1
    assert staff.patch(f"{MS}/incidents/{pk}/", {"severity": "minor"}, format="json").status_code == 409


def test_suspended_skill_is_not_renewed_by_a_grant(make_user):
    space = f.MakerspaceFactory()
    staff = make_user("staffer")
    f.MemberFactory(user=staff, makerspace=space, role="staff")
    grant = f.MemberSkillFactory(member=f.MemberFactory(makerspace=space), skill=f.SkillFactory(makerspace=space))
    skill_services.member_skill_suspend(grant=grant, actor=staff, reason="incident")
    with pytest.raises(ConflictError) as refused:
        skill_services.member_skill_grant(member=grant.member, skill=grant.skill, actor=staff)
    assert refused.value.code == "skill_suspended"
    assert MemberSkill.objects.get(pk=grant.pk).suspended_at is not None


@pytest.mark.parametrize(
    "body",
    [
        {"severity": "moderate", "description": "x", "suspend_skills": True, "with_member": True},
        {"severity": "severe", "description": "x", "suspend_skills": True},
        {"severity": "apocalyptic", "description": "x"},
        {"severity": "minor", "description": ""},
        {"severity": "minor", "description": "x", "occurred_at": "2999-01-01T00:00:00Z"},
    ],
)
def test_bad_incidents_are_400_and_write_nothing(client_for, body):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space, role="staff")
    equipment, _ = machine_with_skill(space)
    body = dict(body, equipment=equipment.pk)
    if body.pop("with_member", False):
        body["member"] = f.MemberFactory(makerspace=space).pk
    assert staff.post(f"{MS}/incidents/", body, format="json").status_code == 400
    assert SafetyIncident.objects.count() == 0


def test_incidents_are_staff_only_and_tenant_isolated(client_for):
    a, b = f.MakerspaceFactory(), f.MakerspaceFactory()
    equipment, _ = machine_with_skill(a)
    incident = SafetyIncident.objects.create(makerspace=a, equipment=equipment, severity="minor", description="Spill")
    staff_b = staff_client(client_for, b, role="staff")
    member_a = client_for(user=f.MemberFactory(makerspace=a).user)
    for client in (staff_b, member_a):
        assert client.get(f"{MS}/incidents/").json()["count"] == 0
        assert client.get(f"{MS}/incidents/{incident.pk}/").status_code == 404
        assert client.post(f"{MS}/incidents/{incident.pk}/close/").status_code == 404
    body = {"equipment": equipment.pk, "severity": "minor", "description": "x"}
    assert staff_b.post(f"{MS}/incidents/", body, format="json").status_code == 403
    assert member_a.post(f"{MS}/incidents/", body, format="json").status_code == 403
    staff_a = staff_client(client_for, a, role="staff")
    assert [row["id"] for row in staff_a.get(f"{MS}/incidents/").json()["results"]] == [incident.pk]


def test_incident_list_keeps_its_query_count(client_for):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space, role="staff")
    equipment, _ = machine_with_skill(space)
    for n in range(20):
        SafetyIncident.objects.create(
            makerspace=space,
            equipment=equipment,
            member=f.MemberFactory(makerspace=space),
            reported_by=staff.user,
            severity="minor",
            description=f"#{n}",
        )
    one, _ = count_queries(staff, f"{MS}/incidents/", {"page_size": 1})
    hundred, body = count_queries(staff, f"{MS}/incidents/", {"page_size": 100})
    assert len(body["results"]) == 20 and hundred == one


def test_admin_files_an_incident_through_the_service(make_user):
    space = f.MakerspaceFactory()
    manager = make_user("mgr", roles=["makerspace_admin"])
    f.MemberFactory(user=manager, makerspace=space, role="manager")
    equipment, _ = machine_with_skill(space)
    client = Client()
    client.force_login(manager)
    response = client.post(
        "/admin/makerspace/safetyincident/add/",
        {
            "equipment": equipment.pk,
            "severity": "serious",
            "occurred_at_0": timezone.now().strftime("%Y-%m-%d"),
            "occurred_at_1": "00:00:00",
            "description": "Guard missing",
            "actions_taken": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = SafetyIncident.objects.get()
    assert (incident.reported_by_id, incident.makerspace_id) == (manager.pk, space.pk)
