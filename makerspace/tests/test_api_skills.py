"""Skills: catalogue, grant/revoke by staff, expiry that stops counting, expiry task with notice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from makerspace.models import MemberSkill
from makerspace.services.access import member_can_use_equipment
from makerspace.tasks import expire_member_skills_task
from makerspace.tests import factories as f
from makrx.errors import ConflictError

pytestmark = pytest.mark.django_db

SKILLS = "/api/v1/makerspace/skills/"
MEMBERS = "/api/v1/makerspace/members/"


def staff_client(client_for, makerspace, role="manager"):
    client = client_for(roles=["makerspace_admin"])
    f.MemberFactory(user=client.user, makerspace=makerspace, role=role)
    return client


def test_manager_creates_skill_unique_by_name_and_level(client_for):
    space = f.MakerspaceFactory()
    manager = staff_client(client_for, space)
    body = {"makerspace": space.pk, "name": "CNC basics", "level": 1}

    assert manager.post(SKILLS, body, format="json").status_code == 201
    assert manager.post(SKILLS, body, format="json").json()["code"] == "duplicate"
    assert manager.post(SKILLS, {**body, "level": 2}, format="json").status_code == 201
    assert manager.post(SKILLS, {**body, "level": 0}, format="json").status_code == 400
    assert client_for().post(SKILLS, {**body, "level": 3}, format="json").status_code == 403
    assert client_for().get(SKILLS, {"makerspace": space.pk}).json()["count"] == 2


def test_staff_grants_and_revokes_skill(client_for):
    skill = f.SkillFactory()
    member = f.MemberFactory(makerspace=skill.makerspace)
    staff = staff_client(client_for, skill.makerspace, role="staff")
    url = f"{MEMBERS}{member.pk}/skills/"

    granted = staff.post(url, {"skill": skill.pk}, format="json")
    assert granted.status_code == 201 and granted.json()["active"] is True
    expires = (timezone.now() + timedelta(days=90)).isoformat()
    renewed = staff.post(url, {"skill": skill.pk, "expires_at": expires}, format="json")
    assert renewed.status_code == 200
    assert MemberSkill.objects.filter(member=member).count() == 1

    assert client_for(user=member.user).get(url).json()["count"] == 1
    assert staff.delete(f"{url}{skill.pk}/").status_code == 204
    assert staff.delete(f"{url}{skill.pk}/").status_code == 404
    assert not MemberSkill.objects.active().filter(member=member).exists()
    assert MemberSkill.objects.get(member=member).revoked_by_id == staff.user.pk


def test_grant_refusals(client_for):
    skill = f.SkillFactory()
    foreign_skill = f.SkillFactory()
    member = f.MemberFactory(makerspace=skill.makerspace)
    staff = staff_client(client_for, skill.makerspace, role="staff")
    url = f"{MEMBERS}{member.pk}/skills/"

    assert staff.post(url, {"skill": foreign_skill.pk}, format="json").status_code == 400
    assert staff.post(url, {"skill": 987654}, format="json").status_code == 400
    past = (timezone.now() - timedelta(days=1)).isoformat()
    assert staff.post(url, {"skill": skill.pk, "expires_at": past}, format="json").status_code == 400
    assert staff.post(url, {"skill": skill.pk, "expires_at": "yesterday"}, format="json").status_code == 400
    assert client_for(user=member.user).post(url, {"skill": skill.pk}, format="json").status_code == 403
    other_staff = staff_client(client_for, foreign_skill.makerspace, role="staff")
    assert other_staff.post(url, {"skill": skill.pk}, format="json").status_code == 404
    assert other_staff.delete(f"{url}{skill.pk}/").status_code == 404


def test_expired_skill_stops_counting_and_higher_level_satisfies_lower():
    basic = f.SkillFactory(name="Laser safety", level=1)
    advanced = f.SkillFactory(makerspace=basic.makerspace, name="Laser safety", level=2)
    laser = f.EquipmentFactory(makerspace=basic.makerspace, equipment_type="laser_cutter", required_skills=[basic])
    member = f.MemberFactory(makerspace=basic.makerspace)
    now = timezone.now()
    grant = f.MemberSkillFactory(member=member, skill=advanced, expires_at=now + timedelta(hours=1))

    member_can_use_equipment(member=member, equipment=laser, at=now)
    with pytest.raises(ConflictError) as exc:
        member_can_use_equipment(member=member, equipment=laser, at=now + timedelta(hours=2))
    assert exc.value.code == "skill_required"
    assert grant.is_active_at(now) and not grant.is_active_at(now + timedelta(hours=2))


def test_expiry_task_notifies_once(django_capture_on_commit_callbacks):
    now = timezone.now()
    expired = f.MemberSkillFactory(expires_at=now - timedelta(minutes=5))
    f.MemberSkillFactory(expires_at=now + timedelta(days=5))
    f.MemberSkillFactory(expires_at=now - timedelta(days=5), revoked_at=now - timedelta(days=6))

    with django_capture_on_commit_callbacks(execute=True):
        assert expire_member_skills_task.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_member_skills_task.delay().get() == 0

    expired.refresh_from_db()
    assert expired.expiry_notified_at is not None
    assert len(mail.outbox) == 1 and expired.member.user.email in mail.outbox[0].to


def test_skill_and_member_skill_lists_have_fixed_query_count(client_for, django_assert_max_num_queries):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space)
    member = f.MemberFactory(makerspace=space)
    for _ in range(7):
        f.MemberSkillFactory(member=member, skill=f.SkillFactory(makerspace=space), granted_by=staff.user)
    for size, expected in ((1, 1), (100, 7)):
        with django_assert_max_num_queries(4):
            assert len(staff.get(SKILLS, {"page_size": size}).json()["results"]) == expected
        with django_assert_max_num_queries(6):
            assert len(staff.get(f"{MEMBERS}{member.pk}/skills/", {"page_size": size}).json()["results"]) == expected


def test_skills_are_not_granted_to_pending_applicants(client_for):
    skill = f.SkillFactory()
    pending = f.MemberFactory(makerspace=skill.makerspace, status="pending")
    staff = staff_client(client_for, skill.makerspace, role="staff")
    response = staff.post(f"{MEMBERS}{pending.pk}/skills/", {"skill": skill.pk}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "membership_inactive"
    assert not MemberSkill.objects.exists()
