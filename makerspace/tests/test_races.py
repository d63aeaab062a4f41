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
from makrx.tests.races import run_concurrently

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections"),
]

THREADS = 10


def test_concurrent_joins_create_one_membership():
    space = f.MakerspaceFactory(join_policy="open")
    user = f.UserFactory()

    results = run_concurrently(lambda _: makerspace_join(makerspace=space, actor=user), THREADS)

    members = [r for r in results if isinstance(r, Member)]
    conflicts = [r for r in results if isinstance(r, ConflictError)]
    assert len(members) == 1 and len(conflicts) == THREADS - 1
    assert all(c.code == "duplicate" for c in conflicts)
    assert Member.objects.filter(user=user, makerspace=space).count() == 1
    assert MemberEvent.objects.filter(member__user=user).count() == 1


def test_concurrent_subscriptions_leave_one_active():
    plan = f.MembershipPlanFactory()
    member = f.MemberFactory(makerspace=plan.makerspace)

    manager = f.MemberFactory(makerspace=plan.makerspace, role="manager").user

    results = run_concurrently(lambda _: subscription_create(member=member, plan=plan, actor=manager), THREADS)

    assert len([r for r in results if isinstance(r, Subscription)]) == 1
    assert all(
        isinstance(r, ConflictError) and r.code == "duplicate" for r in results if not isinstance(r, Subscription)
    )
    assert Subscription.objects.filter(member=member, status="active").count() == 1


def _hold_row_lock(model, pk, *, ready: threading.Event, release: threading.Event) -> threading.Thread:
    """Another transaction holds ``FOR UPDATE`` on one row until ``release`` is set."""
    from django.db import transaction

    def holder():
        try:
            with transaction.atomic():
                model.objects.select_for_update().get(pk=pk)
                ready.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert ready.wait(10)
    return thread


def _with_lock_timeout(call):
    from django.db import transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        return call()


def test_member_transitions_and_bookings_do_not_lock_the_makerspace_row():
    """Regression (fuzzing found a deadlock, 500): approving a member locked the makerspace row as well as the
    membership (``select_for_update`` over ``select_related``), the opposite order to joins; booking and starting
    a machine locked the makerspace too. With another transaction holding the makerspace row, they now go through.
    """
    from datetime import timedelta

    from django.utils import timezone

    from makerspace.models import Makerspace, Reservation, UsageSession
    from makerspace.services.members import member_approve
    from makerspace.services.reservations import reservation_create
    from makerspace.services.usage import usage_session_start

    space = f.MakerspaceFactory()
    pending = f.MemberFactory(makerspace=space, status=Member.Status.PENDING, joined_at=None)
    admin = f.UserFactory(roles=["super_admin"])
    booker = f.MemberFactory(makerspace=space)
    equipment = f.EquipmentFactory(makerspace=space)
    machine = f.EquipmentFactory(makerspace=space)
    ready, release = threading.Event(), threading.Event()
    holder = _hold_row_lock(Makerspace, space.pk, ready=ready, release=release)
    try:
        approved = _with_lock_timeout(lambda: member_approve(member=pending, actor=admin))
        starts = (timezone.now() + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
        booked = _with_lock_timeout(
            lambda: reservation_create(
                actor=booker.user, equipment=equipment, starts_at=starts, ends_at=starts + timedelta(hours=1)
            )
        )
        started = _with_lock_timeout(lambda: usage_session_start(actor=booker.user, equipment=machine))
    finally:
        release.set()
        holder.join(10)
    assert approved.status == Member.Status.ACTIVE
    assert Member.objects.get(pk=pending.pk).status == Member.Status.ACTIVE
    assert Reservation.objects.filter(pk=booked.pk).exists()
    assert UsageSession.objects.filter(pk=started.pk, ended_at__isnull=True).exists()
