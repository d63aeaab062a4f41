"""Invitations: who may invite which role, the once-shown link, hashing, expiry, single use, resend, revoke, email."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from makerspace.models import Invite, Member, MemberEvent, Subscription
from makerspace.tests import factories as f
from makerspace.tests.people_helpers import MS, count_queries, staff_client
from makrx.logging import redact_path
from makrx.tests.races import run_concurrently

pytestmark = pytest.mark.django_db


def invite(client, space, **body):
    body.setdefault("email", "new.person@example.test")
    return client.post(f"{MS}/makerspaces/{space.pk}/invites/", body, format="json")


def token_of(response) -> str:
    return response.json()["accept_url"].rstrip("/").rsplit("/", 1)[1]


def test_create_shows_the_link_once_and_stores_only_its_hash(client_for, settings, django_capture_on_commit_callbacks):
    settings.MAKERSPACE_INVITE_ACCEPT_BASE_URL = "https://portal.example.test/invites"
    space = f.MakerspaceFactory(name="Fab Lab")
    staff = staff_client(client_for, space, role="staff")

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(staff, space, email="New.Person@Example.test")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["accept_url"].startswith("https://portal.example.test/invites/")
    token = token_of(response)
    row = Invite.objects.get(pk=body["id"])
    assert (row.email, row.role, body["status"]) == ("new.person@example.test", "member", "pending")
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    # the token itself is nowhere in the database row
    assert token not in " ".join(str(value) for value in Invite.objects.filter(pk=row.pk).values().first().values())
    assert timedelta(days=6, hours=23) < row.expires_at - timezone.now() <= timedelta(days=7)
    # later reads never show the link
    listed = staff.get(f"{MS}/makerspaces/{space.pk}/invites/").json()["results"]
    assert [item["id"] for item in listed] == [row.pk] and "accept_url" not in listed[0]
    # the email goes to the address, with the link
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.test"]
    assert "Fab Lab" in mail.outbox[0].subject and body["accept_url"] in mail.outbox[0].body


@pytest.mark.parametrize(
    ("inviter", "role", "expected"),
    [
        ("member", "member", 403),
        ("staff", "member", 201),
        ("staff", "staff", 403),
        ("manager", "staff", 201),
        ("manager", "manager", 201),
        ("manager", "admin", 403),
        ("admin", "admin", 201),
    ],
)
def test_who_may_invite_which_role(client_for, inviter, role, expected):
    space = f.MakerspaceFactory()
    client = staff_client(client_for, space, role=inviter)
    response = invite(client, space, role=role)
    assert response.status_code == expected, response.json()
    assert Invite.objects.count() == (1 if expected == 201 else 0)


def test_platform_admin_invites_an_admin(client_for):
    space = f.MakerspaceFactory()
    assert invite(client_for(roles=["admin"]), space, role="admin").status_code == 201


def test_staff_of_another_space_cannot_invite_or_list(client_for):
    a, b = f.MakerspaceFactory(), f.MakerspaceFactory()
    staff_b = staff_client(client_for, b)
    staff_a = staff_client(client_for, a)
    invite(staff_a, a)
    assert invite(staff_b, a).status_code == 403
    assert staff_b.get(f"{MS}/makerspaces/{a.pk}/invites/").status_code == 403
    pk = Invite.objects.get().pk
    assert staff_b.post(f"{MS}/invites/{pk}/revoke/").status_code == 404
    assert staff_b.post(f"{MS}/invites/{pk}/resend/").status_code == 404


def test_duplicate_pending_invite_is_409(client_for):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space)
    assert invite(staff, space).status_code == 201
    response = invite(staff, space, email="NEW.person@example.test")
    assert response.status_code == 409 and response.json()["code"] == "duplicate"


def test_bad_input_is_400(client_for):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space)
    assert invite(staff, space, email="not-an-email").status_code == 400
    assert invite(staff, space, role="owner").status_code == 400
    assert invite(staff, space, plan=999999).status_code == 400
    other_plan = f.MembershipPlanFactory()
    assert invite(staff, space, plan=other_plan.pk).status_code == 400
    assert Invite.objects.count() == 0


def test_accept_creates_active_membership_with_role_and_plan(client_for, make_user, django_capture_on_commit_callbacks):
    space = f.MakerspaceFactory()
    plan = f.MembershipPlanFactory(makerspace=space)
    manager = staff_client(client_for, space)
    token = token_of(invite(manager, space, role="staff", plan=plan.pk))
    invitee = client_for(user=make_user("invitee"))

    with django_capture_on_commit_callbacks(execute=True):
        response = invitee.post(f"{MS}/invites/{token}/accept/")

    assert response.status_code == 201, response.json()
    member = Member.objects.get(user=invitee.user, makerspace=space)
    assert (member.status, member.role, member.plan_id) == ("active", "staff", plan.pk)
    assert Subscription.objects.filter(member=member, plan=plan, status="active").exists()
    assert MemberEvent.objects.filter(member=member, to_status="active").exists()
    row = Invite.objects.get()
    assert (row.status, row.accepted_by_id, row.member_id) == ("accepted", invitee.user.pk, member.pk)
    assert mail.outbox[-1].to == [manager.user.email] and "accepted" in mail.outbox[-1].subject

    again = client_for().post(f"{MS}/invites/{token}/accept/")
    assert again.status_code == 409 and again.json()["code"] == "invite_used"


def test_accept_refusals(client_for, make_user):
    space = f.MakerspaceFactory()
    manager = staff_client(client_for, space)
    token = token_of(invite(manager, space))
    # expired
    Invite.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client_for().post(f"{MS}/invites/{token}/accept/")
    assert response.status_code == 409 and response.json()["code"] == "invite_expired"
    # already a member
    Invite.objects.update(expires_at=timezone.now() + timedelta(days=1))
    member = f.MemberFactory(makerspace=space)
    response = client_for(user=member.user).post(f"{MS}/invites/{token}/accept/")
    assert response.status_code == 409 and response.json()["code"] == "already_member"
    assert Invite.objects.get().accepted_at is None
    # unknown, malformed, anonymous
    assert client_for().post(f"{MS}/invites/{'x' * 43}/accept/").status_code == 404
    assert client_for().post(f"{MS}/invites/short/accept/").status_code == 404
    assert APIClient().post(f"{MS}/invites/{token}/accept/").status_code == 401
    assert client_for().get(f"{MS}/invites/{token}/accept/").status_code == 405


def test_accept_brings_back_a_rejected_membership(client_for):
    space = f.MakerspaceFactory()
    rejected = f.MemberFactory(makerspace=space, status="rejected")
    token = token_of(invite(staff_client(client_for, space), space))
    assert client_for(user=rejected.user).post(f"{MS}/invites/{token}/accept/").status_code == 201
    rejected.refresh_from_db()
    assert rejected.status == "active"


def test_plan_that_can_no_longer_apply_writes_nothing(client_for):
    space = f.MakerspaceFactory()
    plan = f.MembershipPlanFactory(makerspace=space)
    token = token_of(invite(staff_client(client_for, space), space, plan=plan.pk))
    plan.active = False
    plan.save()
    invitee = client_for()
    response = invitee.post(f"{MS}/invites/{token}/accept/")
    assert response.status_code == 409 and response.json()["code"] == "invite_plan_unavailable"
    assert not Member.objects.filter(user=invitee.user).exists()
    assert Invite.objects.get().accepted_at is None


def test_resend_kills_the_old_link_and_revoke_kills_the_invite(client_for, django_capture_on_commit_callbacks):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space, role="staff")
    first = token_of(invite(staff, space))
    pk = Invite.objects.get().pk

    with django_capture_on_commit_callbacks(execute=True):
        resent = staff.post(f"{MS}/invites/{pk}/resend/")
    assert resent.status_code == 200 and resent.json()["sent_count"] == 2
    second = token_of(resent)
    assert second != first
    assert mail.outbox[-1].to == ["new.person@example.test"] and second in mail.outbox[-1].body
    assert client_for().post(f"{MS}/invites/{first}/accept/").status_code == 404

    assert staff.post(f"{MS}/invites/{pk}/revoke/").json()["status"] == "revoked"
    response = client_for().post(f"{MS}/invites/{second}/accept/")
    assert response.status_code == 409 and response.json()["code"] == "invite_used"
    again = staff.post(f"{MS}/invites/{pk}/revoke/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert staff.post(f"{MS}/invites/{pk}/resend/").status_code == 409


def test_staff_cannot_resend_a_staff_invite(client_for):
    space = f.MakerspaceFactory()
    manager = staff_client(client_for, space)
    invite(manager, space, role="staff")
    staff = staff_client(client_for, space, role="staff")
    pk = Invite.objects.get().pk
    response = staff.post(f"{MS}/invites/{pk}/revoke/")
    assert response.status_code == 403 and response.json()["code"] == "not_makerspace_manager"


def test_accept_path_is_masked_in_logs():
    assert redact_path(f"{MS}/invites/abcdefghijklmnopqrstuvwxyz/accept/") == f"{MS}/invites/***/accept/"


def test_list_query_count_does_not_grow(client_for):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space)
    url = f"{MS}/makerspaces/{space.pk}/invites/"
    for n in range(30):
        invite(staff, space, email=f"p{n}@example.test")
    one, _ = count_queries(staff, url, {"page_size": 1})
    hundred, body = count_queries(staff, url, {"page_size": 100})
    assert len(body["results"]) == 30
    assert hundred == one <= 8


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_accepts_exactly_one_wins(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    space = f.MakerspaceFactory()
    manager = make_user("boss")
    f.MemberFactory(user=manager, makerspace=space, role="manager")
    client = APIClient()
    client.force_authenticate(user=manager)
    token = token_of(invite(client, space))
    clients = []
    for n in range(2):
        racer = APIClient()
        racer.force_authenticate(user=make_user(f"racer{n}"))
        clients.append(racer)

    responses = run_concurrently(lambda i: clients[i].post(f"{MS}/invites/{token}/accept/"), 2, reraise=True)

    results = sorted((r.status_code, r.json().get("code", "")) for r in responses)
    assert results == [(201, ""), (409, "invite_used")]
    assert Member.objects.filter(makerspace=space, role="member").count() == 1
