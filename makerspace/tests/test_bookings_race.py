"""Per-member limits under concurrency: one member books 20 machines at once on 20 PostgreSQL connections.

The weekly limit, the included-hours cap and its ledger, and promo-code redemptions must hold exactly.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from makerspace.models import PromoCode, Reservation
from makerspace.services.reservations import reservation_create
from makerspace.tests import factories as f
from makrx.errors import ConflictError
from makrx.tests.races import run_concurrently

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections"),
]

THREADS = 20


def _start():
    # Tomorrow at 10:00 (the factory's makerspace is open all day), well inside one plan period.
    return (timezone.now() + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)


def _member_on(plan_kwargs, *, subscription=True):
    space = f.MakerspaceFactory()
    plan = f.MembershipPlanFactory(makerspace=space, **plan_kwargs)
    member = f.MemberFactory(makerspace=space, plan=plan)
    if subscription:
        f.SubscriptionFactory(member=member, plan=plan, starts_at=timezone.now() - timedelta(days=1))
    machines = [f.EquipmentFactory(makerspace=space, hourly_rate=Decimal("100.00")) for _ in range(THREADS)]
    return member, machines


def _book_all(member, machines, *, hours=1, **kwargs):
    start = _start()

    def book(index):
        return reservation_create(
            actor=member.user,
            equipment=machines[index],
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            **kwargs,
        )

    return run_concurrently(book, THREADS)


def test_weekly_limit_holds_across_20_machines():
    member, machines = _member_on({"max_reservations_per_week": 3, "included_hours": Decimal("0")})
    results = _book_all(member, machines)
    won = [r for r in results if isinstance(r, Reservation)]
    lost = [r for r in results if isinstance(r, ConflictError)]
    assert len(won) == 3 and len(lost) == THREADS - 3, results
    assert {c.code for c in lost} == {"plan_limit"}
    assert Reservation.objects.filter(member=member).count() == 3


def test_included_hours_cap_holds_and_the_ledger_matches_a_recomputation():
    member, machines = _member_on({"included_hours": Decimal("5"), "allow_overage": False})
    results = _book_all(member, machines)
    won = [r for r in results if isinstance(r, Reservation)]
    assert len(won) == 5, results
    assert {r.code for r in results if isinstance(r, ConflictError)} == {"plan_limit"}
    rows = list(Reservation.objects.filter(member=member))
    booked_minutes = sum(int((r.ends_at - r.starts_at).total_seconds() // 60) for r in rows)
    assert sum(r.included_minutes for r in rows) == booked_minutes == 5 * 60
    assert all(r.price == Decimal("0.00") for r in rows)


def test_overage_is_priced_and_the_ledger_replays_in_booking_order():
    member, machines = _member_on({"included_hours": Decimal("2.5"), "allow_overage": True})
    results = _book_all(member, machines)
    assert all(isinstance(r, Reservation) for r in results), results
    remaining = 150  # minutes included
    for reservation in Reservation.objects.filter(member=member).order_by("pk"):
        expected = min(60, remaining)
        remaining -= expected
        assert reservation.included_minutes == expected
        # Billable minutes at 100.00 an hour.
        assert reservation.price == (Decimal(60 - expected) * Decimal("100") / 60).quantize(Decimal("0.01"))
    assert remaining == 0


def test_promo_redemptions_never_pass_the_maximum():
    space = f.MakerspaceFactory()
    machines = [f.EquipmentFactory(makerspace=space) for _ in range(THREADS)]
    members = [f.MemberFactory(makerspace=space) for _ in range(THREADS)]
    promo = f.PromoCodeFactory(makerspace=space, code="FIRST5", max_redemptions=5)
    start = _start()

    def book(index):
        return reservation_create(
            actor=members[index].user,
            equipment=machines[index],
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            promo_code="FIRST5",
        )

    results = run_concurrently(book, THREADS)
    won = [r for r in results if isinstance(r, Reservation)]
    assert len(won) == 5, results
    assert {r.code for r in results if isinstance(r, ConflictError)} == {"promo_exhausted"}
    promo = PromoCode.objects.get(pk=promo.pk)
    assert promo.redemptions == 5 == promo.redemption_rows.count()
    assert Reservation.objects.filter(promo_code=promo).count() == 5


def test_waiting_list_order_survives_concurrent_cancellations_and_expired_offers():
    from makerspace.models import WaitlistEntry
    from makerspace.services import waitlist
    from makerspace.services.reservations import reservation_cancel

    space = f.MakerspaceFactory()
    machine = f.EquipmentFactory(makerspace=space)
    start = _start()
    # Six half-hour bookings by six members cover 10:00–13:00; five members queue for the whole morning.
    holders = [f.MemberFactory(makerspace=space) for _ in range(6)]
    booked = [
        f.ReservationFactory(
            equipment=machine,
            member=holder,
            starts_at=start + timedelta(minutes=30 * i),
            ends_at=start + timedelta(minutes=30 * (i + 1)),
        )
        for i, holder in enumerate(holders)
    ]
    line = [f.MemberFactory(makerspace=space) for _ in range(5)]
    entries = [
        waitlist.waitlist_join(actor=m.user, equipment=machine, starts_at=start, ends_at=start + timedelta(hours=3))
        for m in line
    ]

    results = run_concurrently(
        lambda i: reservation_cancel(reservation=booked[i], actor=holders[i].user, reason="cannot come"), len(booked)
    )
    assert all(isinstance(r, Reservation) for r in results), results

    def statuses():
        return list(
            WaitlistEntry.objects.filter(pk__in=[e.pk for e in entries])
            .order_by("created_at", "id")
            .values_list("status", flat=True)
        )

    assert statuses() == ["offered", "waiting", "waiting", "waiting", "waiting"]
    # The first offer lapses: claiming late is refused and the second in line is offered, and so on.
    late = timezone.now() + waitlist.hold() + timedelta(seconds=1)
    with pytest.raises(ConflictError) as caught:
        waitlist.waitlist_claim(entry=WaitlistEntry.objects.get(pk=entries[0].pk), actor=line[0].user, now=late)
    assert caught.value.code == "offer_expired"
    assert statuses() == ["expired", "offered", "waiting", "waiting", "waiting"]
    # Two members in line race to claim: only the one offered gets it.
    claims = run_concurrently(
        lambda i: waitlist.waitlist_claim(
            entry=WaitlistEntry.objects.get(pk=entries[1 + i].pk), actor=line[1 + i].user
        ),
        2,
    )
    assert isinstance(claims[0], Reservation), claims
    assert isinstance(claims[1], ConflictError) and claims[1].code == "not_offered"
    assert statuses() == ["expired", "claimed", "waiting", "waiting", "waiting"]
    assert Reservation.objects.filter(equipment=machine, status="confirmed").get().user == line[1].user


def test_pending_bookings_hold_their_slot_under_concurrency():
    space = f.MakerspaceFactory()
    machine = f.EquipmentFactory(makerspace=space, approval="always")
    members = [f.MemberFactory(makerspace=space) for _ in range(10)]
    start = _start()
    results = run_concurrently(
        lambda i: reservation_create(
            actor=members[i].user, equipment=machine, starts_at=start, ends_at=start + timedelta(hours=1)
        ),
        len(members),
    )
    won = [r for r in results if isinstance(r, Reservation)]
    assert len(won) == 1 and won[0].status == "pending", results
    assert {r.code for r in results if isinstance(r, ConflictError)} == {"slot_taken"}


def test_one_supervisor_is_never_booked_twice_at_once():
    space = f.MakerspaceFactory()
    supervisor = f.MemberFactory(makerspace=space, role="staff")
    machines = [f.EquipmentFactory(makerspace=space, requires_supervisor=True) for _ in range(8)]
    members = [f.MemberFactory(makerspace=space) for _ in range(8)]
    start = _start()
    results = run_concurrently(
        lambda i: reservation_create(
            actor=members[i].user,
            equipment=machines[i],
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            supervisor=supervisor.user,
        ),
        len(members),
    )
    assert len([r for r in results if isinstance(r, Reservation)]) == 1, results
    assert {r.code for r in results if isinstance(r, ConflictError)} == {"supervisor_busy"}
