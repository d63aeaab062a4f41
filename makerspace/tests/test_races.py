"""Concurrent writes on PostgreSQL: joins and subscriptions never duplicate."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from makerspace.models import Member, MemberEvent, Subscription
from makerspace.services.members import makerspace_join
from makerspace.services.plans import subscription_create
from makerspace.tests import factories as f
from makrx.errors import ConflictError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections"),
]

THREADS = 10


def run_concurrently(target) -> list:
    barrier = threading.Barrier(THREADS)
    results: list = []
    lock = threading.Lock()

    def worker():
        try:
            barrier.wait()
            try:
                outcome = target()
            except Exception as exc:  # noqa: BLE001 - collected and asserted on below
                outcome = exc
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_concurrent_joins_create_one_membership():
    space = f.MakerspaceFactory(join_policy="open")
    user = f.UserFactory()

    results = run_concurrently(lambda: makerspace_join(makerspace=space, user=user))

    members = [r for r in results if isinstance(r, Member)]
    conflicts = [r for r in results if isinstance(r, ConflictError)]
    assert len(members) == 1 and len(conflicts) == THREADS - 1
    assert all(c.code == "duplicate" for c in conflicts)
    assert Member.objects.filter(user=user, makerspace=space).count() == 1
    assert MemberEvent.objects.filter(member__user=user).count() == 1


def test_concurrent_subscriptions_leave_one_active():
    plan = f.MembershipPlanFactory()
    member = f.MemberFactory(makerspace=plan.makerspace)

    results = run_concurrently(lambda: subscription_create(member=member, plan=plan))

    assert len([r for r in results if isinstance(r, Subscription)]) == 1
    assert all(
        isinstance(r, ConflictError) and r.code == "duplicate" for r in results if not isinstance(r, Subscription)
    )
    assert Subscription.objects.filter(member=member, status="active").count() == 1
