"""Plan periods from an hour to a lifetime, trials on a first subscription, and the included-hours cap or overage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from makerspace.services import plans as plan_services
from makerspace.services.reservations import reservation_create
from makerspace.tests import factories as f
from makrx.errors import ConflictError, ValidationError

pytestmark = pytest.mark.django_db
T0 = datetime(2031, 1, 31, 12, tzinfo=UTC)


@pytest.fixture
def manager():
    return f.MemberFactory(role="manager")


@pytest.mark.parametrize(
    ("period", "end"),
    [
        ("hour", T0 + timedelta(hours=1)),
        ("day", T0 + timedelta(days=1)),
        ("week", T0 + timedelta(weeks=1)),
        ("month", datetime(2031, 2, 28, 12, tzinfo=UTC)),
        ("quarter", datetime(2031, 4, 30, 12, tzinfo=UTC)),
        ("year", datetime(2032, 1, 31, 12, tzinfo=UTC)),
        ("lifetime", datetime(2131, 1, 31, 12, tzinfo=UTC)),
    ],
)
def test_every_period_ends_where_expected(manager, period, end):
    plan = plan_services.plan_create(
        makerspace=manager.makerspace, name=f"P {period}", actor=manager.user, billing_period=period
    )
    member = f.MemberFactory(makerspace=manager.makerspace)
    subscription = plan_services.subscription_create(member=member, plan=plan, actor=manager.user, starts_at=T0)
    assert subscription.ends_at == end and subscription.trial_ends_at is None


def test_a_first_subscription_starts_with_the_trial(manager):
    plan = plan_services.plan_create(
        makerspace=manager.makerspace, name="Trial", actor=manager.user, billing_period="month", trial_days=14
    )
    member = f.MemberFactory(makerspace=manager.makerspace)
    first = plan_services.subscription_create(member=member, plan=plan, actor=manager.user, starts_at=T0)
    assert first.trial_ends_at == T0 + timedelta(days=14)
    assert first.ends_at == datetime(2031, 3, 14, 12, tzinfo=UTC)  # the paid month follows the trial
    plan_services.subscription_cancel(subscription=first, actor=manager.user)
    again = plan_services.subscription_create(member=member, plan=plan, actor=manager.user, starts_at=T0)
    assert again.trial_ends_at is None  # one trial per member and plan


def test_bad_periods_and_trials_are_refused(client_for, manager):
    client = client_for(user=manager.user)
    body = {"makerspace": manager.makerspace.pk, "name": "X"}
    assert (
        client.post("/api/v1/makerspace/plans/", {**body, "billing_period": "decade"}, format="json").status_code == 400
    )
    assert client.post("/api/v1/makerspace/plans/", {**body, "trial_days": 400}, format="json").status_code == 400
    with pytest.raises(ValidationError):
        plan_services.plan_create(makerspace=manager.makerspace, name="Y", actor=manager.user, trial_days=999)


def _subscribed(*, included, overage):
    plan = f.MembershipPlanFactory(included_hours=Decimal(included), allow_overage=overage)
    member = f.MemberFactory(makerspace=plan.makerspace, plan=plan)
    f.SubscriptionFactory(member=member, plan=plan, starts_at=timezone.now() - timedelta(days=1))
    machine = f.EquipmentFactory(makerspace=plan.makerspace, hourly_rate=Decimal("60.00"))
    return member, machine


def _book(member, machine, *, days, hours):
    start = (timezone.now() + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
    return reservation_create(
        actor=member.user, equipment=machine, starts_at=start, ends_at=start + timedelta(hours=hours)
    )


def test_included_hours_are_a_cap_without_overage():
    member, machine = _subscribed(included="2", overage=False)
    first = _book(member, machine, days=1, hours=1.5)
    assert (first.included_minutes, first.price) == (90, Decimal("0.00"))
    with pytest.raises(ConflictError) as caught:
        _book(member, machine, days=2, hours=1)
    assert caught.value.code == "plan_limit"
    assert _book(member, machine, days=2, hours=0.5).included_minutes == 30


def test_overage_is_priced_when_allowed():
    member, machine = _subscribed(included="2", overage=True)
    _book(member, machine, days=1, hours=1.5)
    second = _book(member, machine, days=2, hours=1)
    assert (second.included_minutes, second.price) == (30, Decimal("30.00"))  # 30 billable minutes at 60/h


def test_cancelled_bookings_give_their_hours_back(client_for):
    member, machine = _subscribed(included="1", overage=False)
    first = _book(member, machine, days=2, hours=1)
    client_for(user=member.user).post(f"/api/v1/makerspace/reservations/{first.pk}/cancel/", {}, format="json")
    assert _book(member, machine, days=3, hours=1).included_minutes == 60
