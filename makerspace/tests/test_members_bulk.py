"""Bulk member actions (mixed valid and invalid ids, same rules as single actions) and the members CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from makerspace.models import Member, MemberEvent, Subscription
from makerspace.tests import factories as f
from makerspace.tests.people_helpers import MS, staff_client

pytestmark = pytest.mark.django_db

BULK = f"{MS}/members/bulk/"
EXPORT = f"{MS}/members/export.csv"


def test_mixed_ids_each_apply_or_fail_on_their_own(client_for):
    a, b = f.MakerspaceFactory(), f.MakerspaceFactory()
    staff = staff_client(client_for, a, role="staff")
    pending = f.MemberFactory.create_batch(3, makerspace=a, status="pending", joined_at=None)
    active = f.MemberFactory(makerspace=a, status="active")
    admin = f.MemberFactory(makerspace=a, status="pending", role="admin", joined_at=None)
    other_space = f.MemberFactory(makerspace=b, status="pending", joined_at=None)
    ids = [p.pk for p in pending] + [active.pk, admin.pk, other_space.pk, 987654321, staff.member.pk, pending[0].pk]

    response = staff.post(BULK, {"action": "approve", "ids": ids, "reason": "welcome"}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["done"] == [p.pk for p in pending]
    assert body["failed"] == {
        str(active.pk): "invalid_transition",
        str(admin.pk): "not_makerspace_admin",
        str(other_space.pk): "not_found",
        "987654321": "not_found",
        str(staff.member.pk): "own_membership",
    }
    assert set(Member.objects.filter(pk__in=[p.pk for p in pending]).values_list("status", flat=True)) == {"active"}
    assert MemberEvent.objects.filter(member__in=pending, reason="welcome").count() == 3
    other_space.refresh_from_db()
    admin.refresh_from_db()
    assert (other_space.status, admin.status) == ("pending", "pending")


def test_suspend_needs_a_manager_and_a_reason(client_for):
    space = f.MakerspaceFactory()
    targets = f.MemberFactory.create_batch(2, makerspace=space)
    ids = [t.pk for t in targets]
    staff = staff_client(client_for, space, role="staff")
    body = staff.post(BULK, {"action": "suspend", "ids": ids, "reason": "rules"}, format="json").json()
    assert body == {"done": [], "failed": {str(i): "not_makerspace_manager" for i in ids}}
    manager = staff_client(client_for, space)
    body = manager.post(BULK, {"action": "suspend", "ids": ids}, format="json").json()
    assert body["failed"] == {str(i): "invalid" for i in ids}
    body = manager.post(BULK, {"action": "suspend", "ids": ids, "reason": "rules"}, format="json").json()
    assert body == {"done": ids, "failed": {}}
    body = manager.post(BULK, {"action": "reactivate", "ids": ids}, format="json").json()
    assert body == {"done": ids, "failed": {}}


def test_assign_plan_through_subscriptions(client_for):
    space = f.MakerspaceFactory()
    plan = f.MembershipPlanFactory(makerspace=space)
    members = f.MemberFactory.create_batch(2, makerspace=space)
    subscribed = f.MemberFactory(makerspace=space)
    f.SubscriptionFactory(member=subscribed, plan=plan)
    manager = staff_client(client_for, space)
    ids = [m.pk for m in members] + [subscribed.pk]

    body = manager.post(BULK, {"action": "assign_plan", "ids": ids, "plan": plan.pk}, format="json").json()

    assert body == {"done": [m.pk for m in members], "failed": {str(subscribed.pk): "duplicate"}}
    assert Subscription.objects.filter(plan=plan, status="active").count() == 3
    assert manager.post(BULK, {"action": "assign_plan", "ids": ids}, format="json").status_code == 400
    assert manager.post(BULK, {"action": "assign_plan", "ids": ids, "plan": 99999}, format="json").status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"action": "approve", "ids": list(range(1, 502))},
        {"action": "approve", "ids": []},
        {"action": "delete", "ids": [1]},
        {"action": "approve", "ids": ["x"]},
        {"action": "approve", "ids": [2**70]},
        {"action": "approve"},
        {"ids": [1]},
    ],
)
def test_bad_bulk_input_is_400(client_for, body):
    space = f.MakerspaceFactory()
    response = staff_client(client_for, space).post(BULK, body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_500_ids_are_accepted(client_for):
    space = f.MakerspaceFactory()
    body = staff_client(client_for, space).post(BULK, {"action": "approve", "ids": list(range(1, 501))}, format="json")
    assert body.status_code == 200


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_export_is_staff_only_and_scoped(client_for):
    a, b = f.MakerspaceFactory(), f.MakerspaceFactory()
    staff = staff_client(client_for, a, role="staff")
    evil = f.MemberFactory(makerspace=a, user=f.UserFactory(first_name="=cmd|' /C calc'!A0"))
    f.MemberFactory(makerspace=b)

    response = staff.get(EXPORT, {"makerspace": a.pk})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][:3] == ["id", "username", "email"]
    assert {int(row[0]) for row in rows[1:]} == {staff.member.pk, evil.pk}
    assert [row[3] for row in rows[1:] if int(row[0]) == evil.pk] == ["'=cmd|' /C calc'!A0"]
    assert staff.get(EXPORT, {"makerspace": b.pk}).status_code == 403
    member = client_for(user=f.MemberFactory(makerspace=a).user)
    assert member.get(EXPORT, {"makerspace": a.pk}).status_code == 403
    assert staff.get(EXPORT).status_code == 400
    assert staff.get(EXPORT, {"makerspace": "x"}).status_code == 400


def test_csv_export_query_count_does_not_grow(client_for, django_assert_max_num_queries):
    space = f.MakerspaceFactory()
    staff = staff_client(client_for, space, role="staff")
    f.MemberFactory.create_batch(120, makerspace=space)
    with django_assert_max_num_queries(4):
        rows = _csv(staff.get(EXPORT, {"makerspace": space.pk}))
    assert len(rows) == 122


def test_admin_export_action_exports_only_selected_scoped_rows(make_user):
    a, b = f.MakerspaceFactory(), f.MakerspaceFactory()
    manager = make_user("mgr", roles=["makerspace_admin"])
    f.MemberFactory(user=manager, makerspace=a, role="manager")
    mine, theirs = f.MemberFactory(makerspace=a), f.MemberFactory(makerspace=b)
    client = Client()
    client.force_login(manager)
    response = client.post(
        "/admin/makerspace/member/",
        {"action": "export_csv", "_selected_action": [mine.pk, theirs.pk]},
    )
    assert response.status_code == 200
    rows = _csv(response)
    assert [int(row[0]) for row in rows[1:]] == [mine.pk]
