"""Database constraints of the makerspace models."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from makerspace.models import Member, Reservation
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db


def test_factories_build_a_consistent_graph():
    reservation = f.ReservationFactory()
    assert reservation.member.makerspace_id == reservation.equipment.makerspace_id
    assert reservation.user_id == reservation.member.user_id
    assert reservation.equipment.makerspace.opening_hours.count() == 7
    f.UsageSessionFactory()
    f.SubscriptionFactory()
    f.MemberSkillFactory()
    f.MaintenanceTicketFactory()
    f.MaintenanceWindowFactory()
    f.CalendarTokenFactory()
    f.ClosureFactory()


def test_makerspace_timezone_is_validated():
    space = f.MakerspaceFactory.build(timezone="Mars/Olympus_Mons")
    with pytest.raises(ValidationError):
        space.full_clean()


def test_member_is_unique_per_user_and_makerspace():
    member = f.MemberFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(user=member.user, makerspace=member.makerspace)


def test_reservation_must_end_after_it_starts():
    reservation = f.ReservationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.filter(pk=reservation.pk).update(ends_at=reservation.starts_at)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraint is PostgreSQL-only")
def test_exclusion_constraint_refuses_overlapping_active_reservations():
    first = f.ReservationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.ReservationFactory(
            equipment=first.equipment, starts_at=first.starts_at + timedelta(minutes=30), ends_at=first.ends_at
        )
    # Touching ranges and cancelled ones do not clash.
    f.ReservationFactory(equipment=first.equipment, starts_at=first.ends_at, ends_at=first.ends_at + timedelta(hours=1))
    f.ReservationFactory(
        equipment=first.equipment, starts_at=first.starts_at, ends_at=first.ends_at, status="cancelled"
    )


def test_only_one_open_usage_session_per_machine():
    session = f.UsageSessionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.UsageSessionFactory(equipment=session.equipment)
