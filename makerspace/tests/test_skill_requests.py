"""Skill prerequisites (no cycles), skill requests (approve with expiry and trainer, reject), and the skill audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from makerspace.models import MemberSkill, MemberSkillEvent, SkillRequest
from makerspace.services import skills as skill_services
from makerspace.tests import factories as f
from makerspace.tests.people_helpers import MS, count_queries, staff_client

pytestmark = pytest.mark.django_db

REQUESTS = f"{MS}/skill-requests/"


def test_prerequisites_are_set_and_listed(client_for):
    space = f.MakerspaceFactory()
    manager = staff_client(client_for, space)
    basics = f.SkillFactory(makerspace=space, name="Safety")
    response = manager.post(
        f"{MS}/skills/",
        {"makerspace": space.pk, "name": "Laser", "prerequisites": [basics.pk]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["prerequisites"] == [basics.pk]
    listed = {row["id"]: row for row in manager.get(f"{MS}/skills/", {"makerspace": space.pk}).json()["results"]}
    assert listed[response.json()["id"]]["prerequisites"] == [basics.pk]


@pytest.mark.parametrize("loop", [1, 2, 3])
def test_prerequisite_cycles_are_refused(client_for, loop):
    space = f.MakerspaceFactory()
    manager = staff_client(client_for, space)
    chain = [f.SkillFactory(makerspace=space, name=f"S{n}") for n in range(loop)]
    for later, earlier in zip(chain[1:], chain[:-1], strict=True):
        later.prerequisites.add(earlier)
    # the first skill requiring the last closes the loop (loop == 1: a skill requiring itself)
    response = manager.patch(f"{MS}/skills/{chain[0].pk}/", {"prerequisites": [chain[-1].pk]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "prerequisite_cycle"
    assert chain[0].prerequisites.count() == 0


def test_prerequisites_from_another_makerspace_or_unknown_are_400(client_for):
    space = f.MakerspaceFactory()
    manager = staff_client(client_for, space)
    skill = f.SkillFactory(makerspace=space)
    foreign = f.SkillFactory()
    assert manager.patch(f"{MS}/skills/{skill.pk}/", {"prerequisites": [foreign.pk]}, format="json").status_code == 400
    assert manager.patch(f"{MS}/skills/{skill.pk}/", {"prerequisites": [99999999]}, format="json").status_code == 400
    assert manager.patch(f"{MS}/skills/{skill.pk}/", {"prerequisites": "x"}, format="json").status_code == 400


def test_request_with_missing_prerequisites_names_them(client_for):
    space = f.MakerspaceFactory()
    safety = f.SkillFactory(makerspace=space, name="Safety", level=1)
    wood = f.SkillFactory(makerspace=space, name="Wood", level=2)
    cnc = f.SkillFactory(makerspace=space, name="CNC")
    cnc.prerequisites.set([safety, wood])
    member = f.MemberFactory(makerspace=space)
    f.MemberSkillFactory(member=member, skill=f.SkillFactory(makerspace=space, name="Wood", level=3))
    client = client_for(user=member.user)

    response = client.post(REQUESTS, {"skill": cnc.pk, "makerspace": space.pk, "note": "please"}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "prerequisite_missing"
    assert response.json()["errors"]["prerequisites"] == ["Safety (level 1)"]
    assert "Safety" in response.json()["detail"]
    assert SkillRequest.objects.count() == 0


def test_member_requests_staff_approve_with_expiry_and_trainer(client_for, django_capture_on_commit_callbacks):
    space = f.MakerspaceFactory()
    skill = f.SkillFactory(makerspace=space)
    member = f.MemberFactory(makerspace=space)
    client = client_for(user=member.user)
    response = client.post(
        REQUESTS, {"skill": skill.pk, "makerspace": space.pk, "note": "trained Tuesday"}, format="json"
    )
    assert response.status_code == 201 and response.json()["status"] == "pending"
    again = client.post(REQUESTS, {"skill": skill.pk, "makerspace": space.pk}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    pk = response.json()["id"]
    staff = staff_client(client_for, space, role="staff")
    trainer = staff_client(client_for, space, role="staff").user
    expires = (timezone.now() + timedelta(days=365)).replace(microsecond=0)

    with django_capture_on_commit_callbacks(execute=True):
        decided = staff.post(
            f"{REQUESTS}{pk}/approve/", {"expires_at": expires.isoformat(), "trainer": trainer.pk}, format="json"
        )

    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == "approved"
    grant = MemberSkill.objects.get(member=member, skill=skill)
    assert (grant.expires_at, grant.trainer_id, grant.granted_by_id) == (expires, trainer.pk, staff.user.pk)
    event = MemberSkillEvent.objects.get(member=member)
    assert (event.action, event.actor_id, event.reason) == ("grant", staff.user.pk, f"skill request #{pk}")
    assert mail.outbox[-1].to == [member.user.email] and "approved" in mail.outbox[-1].subject
    twice = staff.post(f"{REQUESTS}{pk}/approve/", {}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "invalid_transition"
    # the member sees their own request; a non-staff trainer is refused
    assert [row["id"] for row in client.get(REQUESTS).json()["results"]] == [pk]


def test_reject_needs_a_reason_and_tells_the_member(client_for, django_capture_on_commit_callbacks):
    space = f.MakerspaceFactory()
    skill = f.SkillFactory(makerspace=space)
    member = f.MemberFactory(makerspace=space)
    pk = client_for(user=member.user).post(REQUESTS, {"skill": skill.pk, "makerspace": space.pk}, format="json")
    pk = pk.json()["id"]
    staff = staff_client(client_for, space, role="staff")
    assert staff.post(f"{REQUESTS}{pk}/reject/", {}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"{REQUESTS}{pk}/reject/", {"reason": "attend the induction first"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert "attend the induction first" in mail.outbox[-1].body
    assert not MemberSkill.objects.filter(member=member).exists()


def test_request_refusals(client_for):
    a, b = f.MakerspaceFactory(), f.MakerspaceFactory()
    skill_a, skill_b = f.SkillFactory(makerspace=a), f.SkillFactory(makerspace=b)
    member = f.MemberFactory(makerspace=a)
    client = client_for(user=member.user)
    # not a member of B
    response = client.post(REQUESTS, {"skill": skill_b.pk, "makerspace": b.pk}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_makerspace_member"
    # skill of another space, unknown skill, bad body
    assert client.post(REQUESTS, {"skill": skill_b.pk, "makerspace": a.pk}, format="json").status_code == 400
    assert client.post(REQUESTS, {"skill": 999999, "makerspace": a.pk}, format="json").status_code == 400
    assert client.post(REQUESTS, {"skill": "x"}, format="json").status_code == 400
    # already held
    f.MemberSkillFactory(member=member, skill=skill_a)
    response = client.post(REQUESTS, {"skill": skill_a.pk, "makerspace": a.pk}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "duplicate"


def test_staff_of_another_space_neither_see_nor_decide(client_for):
    a, b = f.MakerspaceFactory(), f.MakerspaceFactory()
    request = SkillRequest.objects.create(member=f.MemberFactory(makerspace=a), skill=f.SkillFactory(makerspace=a))
    staff_b = staff_client(client_for, b, role="staff")
    assert staff_b.get(REQUESTS).json()["count"] == 0
    assert staff_b.get(REQUESTS, {"makerspace": a.pk}).json()["count"] == 0
    assert staff_b.post(f"{REQUESTS}{request.pk}/approve/", {}, format="json").status_code == 404
    assert staff_b.post(f"{REQUESTS}{request.pk}/reject/", {"reason": "x"}, format="json").status_code == 404
    member = client_for(user=f.MemberFactory(makerspace=a).user)
    response = member.post(f"{REQUESTS}{request.pk}/approve/", {}, format="json")
    assert response.status_code == 404  # another member's request is not theirs to see


def test_staff_cannot_approve_their_own_request(client_for):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space, role="staff")
    skill = f.SkillFactory(makerspace=space)
    pk = staff.post(REQUESTS, {"skill": skill.pk, "makerspace": space.pk}, format="json").json()["id"]
    response = staff.post(f"{REQUESTS}{pk}/approve/", {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "own_membership"


def test_list_query_count_does_not_grow(client_for):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space, role="staff")
    for _ in range(25):
        SkillRequest.objects.create(member=f.MemberFactory(makerspace=space), skill=f.SkillFactory(makerspace=space))
    one, _ = count_queries(staff, REQUESTS, {"page_size": 1})
    hundred, body = count_queries(staff, REQUESTS, {"page_size": 100})
    assert len(body["results"]) == 25 and hundred == one
    one, _ = count_queries(staff, f"{MS}/skills/", {"page_size": 1})
    hundred, _ = count_queries(staff, f"{MS}/skills/", {"page_size": 100})
    assert hundred == one


def test_every_grant_renewal_revoke_and_expiry_is_audited(make_user):
    space = f.MakerspaceFactory()
    staff = make_user("trainer")
    f.MemberFactory(user=staff, makerspace=space, role="staff")
    member = f.MemberFactory(makerspace=space)
    skill = f.SkillFactory(makerspace=space)
    soon = timezone.now() + timedelta(days=1)

    grant, created = skill_services.member_skill_grant(member=member, skill=skill, actor=staff, expires_at=soon)
    assert created
    skill_services.member_skill_grant(member=member, skill=skill, actor=staff, expires_at=soon + timedelta(days=30))
    assert skill_services.member_skill_expire(grant_id=grant.pk, now=soon + timedelta(days=31))
    skill_services.member_skill_revoke(member=member, skill_id=skill.pk, actor=staff, reason="misuse")

    events = list(MemberSkillEvent.objects.filter(member=member).order_by("created_at", "id"))
    assert [e.action for e in events] == ["grant", "renewal", "expiry", "revoke"]
    assert [e.actor_id for e in events] == [staff.pk, staff.pk, None, staff.pk]
    assert events[-1].reason == "misuse"


def test_grant_checks_prerequisites_too(make_user):
    space = f.MakerspaceFactory()
    staff = make_user("staffer")
    f.MemberFactory(user=staff, makerspace=space, role="staff")
    base, advanced = f.SkillFactory(makerspace=space), f.SkillFactory(makerspace=space)
    advanced.prerequisites.add(base)
    member = f.MemberFactory(makerspace=space)
    with pytest.raises(Exception) as refused:
        skill_services.member_skill_grant(member=member, skill=advanced, actor=staff)
    assert refused.value.code == "prerequisite_missing"
    skill_services.member_skill_grant(member=member, skill=base, actor=staff)
    skill_services.member_skill_grant(member=member, skill=advanced, actor=staff)
    assert MemberSkill.objects.filter(member=member).count() == 2


def test_admin_shows_the_audit_under_the_member_and_refuses_a_cycle(make_user):
    space = f.MakerspaceFactory()
    manager = make_user("mgr", roles=["makerspace_admin"])
    f.MemberFactory(user=manager, makerspace=space, role="manager")
    member = f.MemberFactory(makerspace=space)
    skill = f.SkillFactory(makerspace=space, name="Lathe")
    skill_services.member_skill_grant(member=member, skill=skill, actor=manager)
    client = Client()
    client.force_login(manager)
    page = client.get(f"/admin/makerspace/member/{member.pk}/change/")
    assert page.status_code == 200 and "skill audit" in page.content.decode().lower()
    other = f.SkillFactory(makerspace=space, name="Mill")
    other.prerequisites.add(skill)
    response = client.post(
        f"/admin/makerspace/skill/{skill.pk}/change/",
        {"name": "Lathe", "level": 1, "description": "", "prerequisites": [other.pk]},
    )
    assert skill.prerequisites.count() == 0
    assert response.status_code in (200, 302)


@pytest.mark.django_db(transaction=True)
def test_two_staff_approving_at_once_grant_once(make_user):
    from django.db import connection
    from rest_framework.test import APIClient

    from makrx.tests.races import run_concurrently

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    space = f.MakerspaceFactory()
    request = f.SkillRequestFactory(member=f.MemberFactory(makerspace=space))
    clients = []
    for n in range(2):
        user = make_user(f"approver{n}")
        f.MemberFactory(user=user, makerspace=space, role="staff")
        client = APIClient()
        client.force_authenticate(user=user)
        clients.append(client)

    responses = run_concurrently(
        lambda i: clients[i].post(f"{REQUESTS}{request.pk}/approve/", {}, format="json"), 2, reraise=True
    )

    results = sorted((r.status_code, r.json().get("code", "")) for r in responses)
    assert results == [(200, ""), (409, "invalid_transition")]
    assert MemberSkill.objects.filter(member=request.member).count() == 1
    assert MemberSkillEvent.objects.filter(member=request.member, action="grant").count() == 1


def test_member_and_staff_read_the_skill_audit_with_a_fixed_query_count(client_for, make_user):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space, role="staff")
    member = f.MemberFactory(makerspace=space)
    for n in range(12):
        skill = f.SkillFactory(makerspace=space, name=f"S{n}")
        skill_services.member_skill_grant(member=member, skill=skill, actor=staff.user)
        skill_services.member_skill_revoke(member=member, skill_id=skill.pk, actor=staff.user, reason="test")
    url = f"{MS}/members/{member.pk}/skill-events/"
    one, _ = count_queries(staff, url, {"page_size": 1})
    hundred, body = count_queries(staff, url, {"page_size": 100})
    assert body["count"] == 24 and hundred == one
    assert {row["action"] for row in body["results"]} == {"grant", "revoke"}
    assert client_for(user=member.user).get(url).json()["count"] == 24
    assert staff_client(client_for, f.MakerspaceFactory(), role="staff").get(url).status_code == 404
