"""Plans and subscriptions: API rules, expiry and auto-renewal task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from makerspace.models import Member, MemberEvent, Subscription
from makerspace.tasks import expire_subscriptions_task
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/makerspace/plans/"
SUBS = "/api/v1/makerspace/subscriptions/"


def manager_client(client_for, makerspace):
    client = client_for(roles=["makerspace_admin"])
    f.MemberFactory(user=client.user, makerspace=makerspace, role="manager")
    return client


def test_manager_creates_plan_and_others_cannot(client_for):
    a, b = f.MakerspaceFactory(), f.MakerspaceFactory()
    manager = manager_client(client_for, a)
    body = {
        "makerspace": a.pk,
        "name": "Maker",
        "price": "2500.00",
        "billing_period": "quarter",
        "included_hours": "30",
        "equipment_types": ["3d_printer", "cnc"],
        "max_reservation_minutes": 180,
    }

    created = manager.post(PLANS, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["currency"] == "INR" and created.json()["equipment_types"] == ["3d_printer", "cnc"]

    assert manager.post(PLANS, {**body, "makerspace": b.pk}, format="json").status_code == 403
    assert manager.post(PLANS, body, format="json").json()["code"] == "duplicate"
    assert manager.post(PLANS, {**body, "name": "X", "equipment_types": ["rocket"]}, format="json").status_code == 400
    assert manager.post(PLANS, {**body, "name": "X", "price": "-1"}, format="json").status_code == 400
    assert manager.post(PLANS, {**body, "makerspace": 999999}, format="json").status_code == 400
    assert client_for().post(PLANS, {**body, "name": "Y"}, format="json").status_code == 403


def test_plans_list_shows_active_plans_filtered_by_makerspace(client_for, django_assert_max_num_queries):
    a, b = f.MakerspaceFactory(), f.MakerspaceFactory()
    f.MembershipPlanFactory.create_batch(3, makerspace=a)
    f.MembershipPlanFactory(makerspace=a, active=False)
    f.MembershipPlanFactory(makerspace=b)
    client = client_for()
    with django_assert_max_num_queries(4):
        assert client.get(PLANS, {"makerspace": a.pk, "page_size": 1}).json()["count"] == 3
    with django_assert_max_num_queries(4):
        assert len(client.get(PLANS, {"page_size": 100}).json()["results"]) == 4
    assert manager_client(client_for, a).get(PLANS, {"makerspace": a.pk}).json()["count"] == 4


def test_manager_patches_plan(client_for):
    plan = f.MembershipPlanFactory()
    manager = manager_client(client_for, plan.makerspace)
    response = manager.patch(f"{PLANS}{plan.pk}/", {"active": False, "max_reservations_per_week": 3}, format="json")
    assert response.status_code == 200 and response.json()["active"] is False
    assert client_for().patch(f"{PLANS}{plan.pk}/", {"active": True}, format="json").status_code in (403, 404)


def test_manager_subscribes_member_and_member_sees_own(client_for):
    plan = f.MembershipPlanFactory(billing_period="month")
    member = f.MemberFactory(makerspace=plan.makerspace)
    manager = manager_client(client_for, plan.makerspace)

    response = manager.post(SUBS, {"member": member.pk, "plan": plan.pk, "auto_renew": True}, format="json")

    assert response.status_code == 201, response.content
    sub = Subscription.objects.get(pk=response.json()["id"])
    assert 28 <= (sub.ends_at - sub.starts_at).days <= 31
    member.refresh_from_db()
    assert member.plan_id == plan.pk
    own = client_for(user=member.user).get(SUBS).json()
    assert [row["id"] for row in own["results"]] == [sub.pk]
    assert client_for().get(SUBS).json()["count"] == 0

    again = manager.post(SUBS, {"member": member.pk, "plan": plan.pk}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "duplicate"


def test_subscription_refusals(client_for):
    plan = f.MembershipPlanFactory()
    manager = manager_client(client_for, plan.makerspace)
    other_plan = f.MembershipPlanFactory()
    member = f.MemberFactory(makerspace=plan.makerspace)
    pending = f.MemberFactory(makerspace=plan.makerspace, status="pending")
    inactive = f.MembershipPlanFactory(makerspace=plan.makerspace, active=False)
    foreign_member = f.MemberFactory(makerspace=other_plan.makerspace)

    assert manager.post(SUBS, {"member": member.pk, "plan": other_plan.pk}, format="json").status_code == 400
    assert (
        manager.post(SUBS, {"member": member.pk, "plan": inactive.pk}, format="json").json()["code"] == "plan_inactive"
    )
    assert (
        manager.post(SUBS, {"member": pending.pk, "plan": plan.pk}, format="json").json()["code"]
        == "invalid_transition"
    )
    assert manager.post(SUBS, {"member": foreign_member.pk, "plan": other_plan.pk}, format="json").status_code == 403
    assert (
        client_for(user=member.user).post(SUBS, {"member": member.pk, "plan": plan.pk}, format="json").status_code
        == 403
    )
    assert manager.post(SUBS, {"member": "x", "plan": plan.pk}, format="json").status_code == 400


def test_cancel_subscription_clears_plan_and_twice_is_409(client_for):
    sub = f.SubscriptionFactory()
    Member.objects.filter(pk=sub.member_id).update(plan=sub.plan)
    manager = manager_client(client_for, sub.member.makerspace)

    assert manager.post(f"{SUBS}{sub.pk}/cancel/", {}, format="json").json()["status"] == "cancelled"
    sub.member.refresh_from_db()
    assert sub.member.plan_id is None
    again = manager.post(f"{SUBS}{sub.pk}/cancel/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert client_for(user=sub.member.user).post(f"{SUBS}{sub.pk}/cancel/", {}, format="json").status_code == 403


def test_expiry_task_expires_and_renews_idempotently():
    now = timezone.now()
    lapsing = f.SubscriptionFactory(starts_at=now - timedelta(days=31), ends_at=now - timedelta(minutes=1))
    renewing = f.SubscriptionFactory(
        starts_at=now - timedelta(days=31), ends_at=now - timedelta(hours=1), auto_renew=True
    )
    current = f.SubscriptionFactory(ends_at=now + timedelta(days=3))
    for sub in (lapsing, renewing, current):
        Member.objects.filter(pk=sub.member_id).update(plan=sub.plan)

    assert expire_subscriptions_task.delay().get() == 2
    assert expire_subscriptions_task.delay().get() == 0

    lapsing.refresh_from_db()
    renewing.refresh_from_db()
    current.refresh_from_db()
    assert lapsing.status == "expired" and current.status == "active"
    lapsed_member = Member.objects.get(pk=lapsing.member_id)
    assert (lapsed_member.status, lapsed_member.plan_id) == ("expired", None)
    assert MemberEvent.objects.filter(member=lapsed_member, to_status="expired").exists()

    assert renewing.status == "expired"
    renewal = Subscription.objects.get(renewed_from=renewing)
    assert renewal.status == "active" and renewal.starts_at == renewing.ends_at and renewal.ends_at > now
    assert Member.objects.get(pk=renewing.member_id).status == "active"


def test_resubscribing_an_expired_member_reactivates_them(client_for):
    plan = f.MembershipPlanFactory()
    member = f.MemberFactory(makerspace=plan.makerspace, status="expired")
    response = manager_client(client_for, plan.makerspace).post(
        SUBS, {"member": member.pk, "plan": plan.pk}, format="json"
    )
    assert response.status_code == 201
    member.refresh_from_db()
    assert member.status == "active"


def test_subscription_list_has_fixed_query_count(client_for, django_assert_max_num_queries):
    space = f.MakerspaceFactory()
    manager = manager_client(client_for, space)
    plan = f.MembershipPlanFactory(makerspace=space)
    for _ in range(6):
        f.SubscriptionFactory(member=f.MemberFactory(makerspace=space), plan=plan)
    with django_assert_max_num_queries(4):
        assert len(manager.get(SUBS, {"page_size": 1}).json()["results"]) == 1
    with django_assert_max_num_queries(4):
        assert len(manager.get(SUBS, {"page_size": 100}).json()["results"]) == 6
