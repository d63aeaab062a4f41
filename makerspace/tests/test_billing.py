"""The transactions ledger: each causing service writes its billable record once, in its own transaction."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from makerspace.models import BillableRecord, Reservation, UsageSession
from makerspace.services import billing as billing_services
from makerspace.services import plans as plan_services
from makerspace.services import reservations as reservation_services
from makerspace.services import usage as usage_services
from makerspace.tests import factories as f
from makrx.auth.scoping import SYSTEM
from makrx.errors import PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db
D = Decimal


def test_subscription_bills_its_paid_period_once(settings):
    space = f.MakerspaceFactory()
    manager = f.MemberFactory(makerspace=space, role="manager").user
    member = f.MemberFactory(makerspace=space)
    plan = f.MembershipPlanFactory(makerspace=space, price=D("1500.00"))
    subscription = plan_services.subscription_create(member=member, plan=plan, actor=manager)
    record = BillableRecord.objects.get()
    assert (record.kind, record.amount, record.member_id, record.source) == (
        "subscription",
        D("1500.00"),
        member.pk,
        subscription,
    )
    # the same source bills once
    assert billing_services.bill_subscription(subscription=subscription, actor=SYSTEM).pk == record.pk
    assert BillableRecord.objects.count() == 1


def test_free_plan_bills_nothing():
    space = f.MakerspaceFactory()
    manager = f.MemberFactory(makerspace=space, role="manager").user
    plan = f.MembershipPlanFactory(makerspace=space, price=D("0"))
    plan_services.subscription_create(member=f.MemberFactory(makerspace=space), plan=plan, actor=manager)
    assert BillableRecord.objects.count() == 0


def test_completed_and_no_show_reservations_bill_their_price():
    space = f.MakerspaceFactory()
    staff = f.MemberFactory(makerspace=space, role="staff").user
    member = f.MemberFactory(makerspace=space)
    machine = f.EquipmentFactory(makerspace=space)
    past = timezone.now() - timedelta(hours=3)
    missed = f.ReservationFactory(
        equipment=machine,
        member=member,
        user=member.user,
        starts_at=past,
        ends_at=past + timedelta(hours=1),
        price=D("400.00"),
    )
    reservation_services.reservation_no_show(reservation=missed, actor=staff)
    done = f.ReservationFactory(
        equipment=machine,
        member=member,
        user=member.user,
        starts_at=past + timedelta(hours=1),
        ends_at=past + timedelta(hours=2),
        price=D("250.00"),
        status=Reservation.Status.CHECKED_IN,
    )
    reservation_services.reservation_complete(reservation=done, actor=staff)
    assert sorted(BillableRecord.objects.values_list("kind", "amount")) == [
        ("reservation", D("250.00")),
        ("reservation", D("400.00")),
    ]


def test_usage_without_reservation_bills_usage_and_with_one_only_overage(client_for):
    member = f.MemberFactory()
    machine = f.EquipmentFactory(makerspace=member.makerspace, hourly_rate=D("600.00"))
    session = usage_services.usage_session_start(actor=member.user, equipment=machine)
    UsageSession.objects.filter(pk=session.pk).update(started_at=timezone.now() - timedelta(minutes=30))
    usage_services.usage_session_stop(session=session, actor=member.user)
    record = BillableRecord.objects.get()
    # 30 minutes and a few milliseconds: 31 started minutes at 600/h
    assert (record.kind, record.amount) == ("usage", D("310.00")) and record.source.amount == record.amount

    now = timezone.now()
    booked = f.ReservationFactory(
        equipment=machine,
        member=member,
        user=member.user,
        starts_at=now - timedelta(minutes=60),
        ends_at=now - timedelta(minutes=20),
        price=D("400.00"),
        status=Reservation.Status.CHECKED_IN,
    )
    session = UsageSession.objects.create(
        equipment=machine,
        user=member.user,
        member=member,
        reservation=booked,
        started_at=now - timedelta(minutes=60),
        hourly_rate=D("600.00"),
        currency="INR",
    )
    usage_services.usage_session_stop(session=session, actor=member.user)
    overage = BillableRecord.objects.get(kind="overage")
    assert overage.amount == D("210.00")  # 20 minutes and some milliseconds past the booking: 21 started minutes
    assert BillableRecord.objects.filter(kind="reservation", amount=D("400.00")).count() == 1  # completed with it


def test_staff_post_a_fee_members_cannot():
    member = f.MemberFactory()
    staff = f.MemberFactory(makerspace=member.makerspace, role="staff").user
    record = billing_services.billable_record_post(
        actor=staff, member=member, kind="fee", description="Locker", unit_price=D("99.995")
    )
    assert record.amount == D("100.00")
    with pytest.raises(PermissionDenied):
        billing_services.billable_record_post(
            actor=member.user, member=member, kind="fee", description="x", unit_price=1
        )
    with pytest.raises(ValidationError):
        billing_services.billable_record_post(actor=staff, member=member, kind="usage", description="x", unit_price=1)


def test_materials_drawn_for_a_member_are_billed_at_unit_cost():
    from makerspace.services import inventory as inventory_services

    member = f.MemberFactory()
    staff = f.MemberFactory(makerspace=member.makerspace, role="staff").user
    item = f.InventoryItemFactory(makerspace=member.makerspace, stock=10, unit_cost=D("45.50"))
    movement = inventory_services.movement_record(
        actor=staff, item=item, kind="usage", quantity="3", bill_member=member
    )
    record = BillableRecord.objects.get()
    assert (record.kind, record.quantity, record.amount, record.source) == ("material", D("3"), D("136.50"), movement)
