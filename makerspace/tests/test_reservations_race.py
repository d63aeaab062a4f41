"""20 threads on separate PostgreSQL connections book the same slot: one wins, 19 hear slot_taken."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from makerspace.models import Reservation
from makerspace.services.reservations import reservation_create
from makerspace.tests import factories as f
from makrx.errors import ConflictError
from makrx.tests.races import run_concurrently

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections"),
]

THREADS = 20


def test_twenty_threads_one_reservation():
    space = f.MakerspaceFactory()
    machine = f.EquipmentFactory(makerspace=space)
    members = [f.MemberFactory(makerspace=space) for _ in range(THREADS)]
    # A fixed hour inside the factory's opening hours (the current hour may be after closing time).
    start = (timezone.now() + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)

    def book(index):
        # Every thread asks for an overlapping range (shifted by minutes) on the same machine.
        offset = index % 3
        return reservation_create(
            actor=members[index].user,
            equipment=machine,
            starts_at=start + timedelta(minutes=offset),
            ends_at=start + timedelta(minutes=60 + offset),
        )

    results = run_concurrently(book, THREADS)

    won = [r for r in results if isinstance(r, Reservation)]
    lost = [r for r in results if isinstance(r, ConflictError)]
    assert len(results) == THREADS
    assert len(won) == 1 and len(lost) == THREADS - 1, results
    assert {c.code for c in lost} == {"slot_taken"}
    assert Reservation.objects.filter(equipment=machine).count() == 1


def test_concurrent_usage_starts_leave_one_open_session():
    from makerspace.models import UsageSession
    from makerspace.services.usage import usage_session_start

    space = f.MakerspaceFactory()
    machine = f.EquipmentFactory(makerspace=space)
    members = [f.MemberFactory(makerspace=space) for _ in range(10)]

    results = run_concurrently(
        lambda index: usage_session_start(actor=members[index].user, equipment=machine), len(members)
    )
    conflicts = [r for r in results if isinstance(r, ConflictError)]
    assert len(conflicts) == len(members) - 1 and {c.code for c in conflicts} == {"equipment_in_use"}
    assert UsageSession.objects.filter(equipment=machine, ended_at__isnull=True).count() == 1
