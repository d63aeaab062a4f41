"""Membership plans and subscriptions: create, cancel, expire and auto-renew.

Managers of the plan's makerspace write plans and put members on them; a manager's own membership
is another manager's job (``membership_action_require``). Expiry and renewal run as ``SYSTEM`` from
the scheduled task, or as a manager from the admin.
"""

from __future__ import annotations

import logging
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from makerspace.models import Member, MemberEvent, MembershipPlan, Subscription
from makerspace.services import billing as billing_services
from makerspace.services.members import member_action_require
from makrx.auth import scoping
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, InvalidTransition, ValidationError

logger = logging.getLogger(__name__)

PLAN_FIELDS = (
    "name",
    "description",
    "price",
    "currency",
    "billing_period",
    "included_hours",
    "equipment_types",
    "max_reservation_minutes",
    "max_reservations_per_week",
    "allow_overage",
    "trial_days",
    "active",
)

# A lifetime plan's one period is long enough never to end in practice (the row still has an end).
PERIODS = {
    MembershipPlan.BillingPeriod.HOUR: relativedelta(hours=1),
    MembershipPlan.BillingPeriod.DAY: relativedelta(days=1),
    MembershipPlan.BillingPeriod.WEEK: relativedelta(weeks=1),
    MembershipPlan.BillingPeriod.MONTH: relativedelta(months=1),
    MembershipPlan.BillingPeriod.QUARTER: relativedelta(months=3),
    MembershipPlan.BillingPeriod.YEAR: relativedelta(years=1),
    MembershipPlan.BillingPeriod.LIFETIME: relativedelta(years=100),
}
MAX_TRIAL_DAYS = 366


def period_end(*, plan: MembershipPlan, starts_at: datetime) -> datetime:
    return starts_at + PERIODS[plan.billing_period]


def _check_plan(plan: MembershipPlan) -> None:
    from makerspace.models import Equipment

    types = plan.equipment_types
    if not isinstance(types, list) or any(t not in Equipment.Type.values for t in types):
        raise ValidationError(
            f"equipment_types must be a list of: {', '.join(Equipment.Type.values)}.",
            errors={"equipment_types": ["Unknown equipment type."]},
        )
    plan.equipment_types = sorted(set(types))
    if plan.price < 0 or plan.included_hours < 0:
        raise ValidationError("Price and included hours must not be negative.")
    if plan.billing_period not in PERIODS:
        raise ValidationError(
            f"billing_period must be one of: {', '.join(PERIODS)}.", errors={"billing_period": ["Unknown period."]}
        )
    if not 0 <= (plan.trial_days or 0) <= MAX_TRIAL_DAYS:
        raise ValidationError(
            f"A trial lasts 0–{MAX_TRIAL_DAYS} days.", errors={"trial_days": [f"At most {MAX_TRIAL_DAYS}."]}
        )
    duplicate = MembershipPlan.objects.filter(makerspace_id=plan.makerspace_id, name=plan.name).exclude(pk=plan.pk)
    if duplicate.exists():
        raise ConflictError(f"This makerspace already has a plan named {plan.name!r}.", code="duplicate")


@transaction.atomic
def plan_create(*, makerspace, name: str, actor, **fields) -> MembershipPlan:
    """A new plan of the makerspace (managers)."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=makerspace.pk)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    plan = MembershipPlan(makerspace=makerspace, name=name, **fields)
    _check_plan(plan)
    plan.save()
    return plan


@transaction.atomic
def plan_update(*, plan: MembershipPlan, actor, **fields) -> MembershipPlan:
    """Edit a plan (managers of its makerspace); running subscriptions keep their period."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=plan.makerspace_id)
    plan = MembershipPlan.objects.select_for_update().get(pk=plan.pk)
    for name, value in fields.items():
        if name not in PLAN_FIELDS:
            raise ValidationError(f"Unknown field {name!r}.")
        setattr(plan, name, value)
    _check_plan(plan)
    plan.save()
    return plan


def _member_event(*, member: Member, actor, from_status: str, reason: str) -> None:
    MemberEvent.objects.create(
        member=member,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=from_status,
        to_status=member.status,
        from_role=member.role,
        to_role=member.role,
        reason=reason,
    )


@transaction.atomic
def subscription_create(
    *, member: Member, plan: MembershipPlan, actor, starts_at: datetime | None = None, auto_renew: bool = False
) -> Subscription:
    """Put a member on a plan for one billing period; the member's ``plan`` follows the active subscription.

    409 ``duplicate`` when the member already has an active subscription (cancel it first); an expired
    membership becomes active again. A member's first subscription to a plan with ``trial_days`` starts
    with that free trial, and the first paid period follows it.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    member_action_require(member=member, actor=actor)
    if plan.makerspace_id != member.makerspace_id:
        raise ValidationError("The plan belongs to another makerspace.", errors={"plan": ["Wrong makerspace."]})
    if not plan.active:
        raise ConflictError("This plan is no longer offered.", code="plan_inactive")
    if member.status in (Member.Status.PENDING, Member.Status.REJECTED, Member.Status.SUSPENDED):
        raise InvalidTransition(f"A {member.get_status_display().lower()} member cannot be subscribed.")
    if Subscription.objects.filter(member=member, status=Subscription.Status.ACTIVE).exists():
        raise ConflictError("The member already has an active subscription.", code="duplicate")
    starts_at = starts_at or timezone.now()
    trial_ends_at = None
    if plan.trial_days and not Subscription.objects.filter(member=member, plan=plan).exists():
        trial_ends_at = starts_at + relativedelta(days=plan.trial_days)
    subscription = Subscription.objects.create(
        member=member,
        plan=plan,
        starts_at=starts_at,
        ends_at=period_end(plan=plan, starts_at=trial_ends_at or starts_at),
        trial_ends_at=trial_ends_at,
        auto_renew=auto_renew,
    )
    update = ["plan", "updated_at"]
    member.plan = plan
    if member.status == Member.Status.EXPIRED:
        member.status = Member.Status.ACTIVE
        member.status_reason = "subscribed"
        update += ["status", "status_reason"]
        _member_event(member=member, actor=actor, from_status=Member.Status.EXPIRED, reason="subscribed")
    member.save(update_fields=update)
    billing_services.bill_subscription(subscription=subscription, actor=actor)
    return subscription


@transaction.atomic
def subscription_cancel(*, subscription: Subscription, actor, reason: str = "") -> Subscription:
    """End an active subscription now (managers); the member keeps their membership but loses the plan."""
    subscription = Subscription.objects.select_for_update().select_related("member").get(pk=subscription.pk)
    member_action_require(member=subscription.member, actor=actor)
    if subscription.status != Subscription.Status.ACTIVE:
        raise InvalidTransition(f"A {subscription.status} subscription cannot be cancelled.")
    now = timezone.now()
    subscription.status = Subscription.Status.CANCELLED
    subscription.cancelled_at = now
    subscription.auto_renew = False
    subscription.save(update_fields=["status", "cancelled_at", "auto_renew", "updated_at"])
    Member.objects.filter(pk=subscription.member_id, plan_id=subscription.plan_id).update(plan=None, updated_at=now)
    logger.info("subscription %s cancelled by %s: %s", subscription.pk, getattr(actor, "pk", None), reason)
    return subscription


@transaction.atomic
def subscription_auto_renew_set(*, subscription: Subscription, auto_renew: bool, actor) -> Subscription:
    """Turn renewal at the end of the period on or off (managers)."""
    subscription = Subscription.objects.select_for_update().select_related("member").get(pk=subscription.pk)
    member_action_require(member=subscription.member, actor=actor)
    if subscription.auto_renew != auto_renew:
        subscription.auto_renew = auto_renew
        subscription.save(update_fields=["auto_renew", "updated_at"])
    return subscription


@transaction.atomic
def subscription_expire(*, subscription_id: int, actor, now: datetime | None = None) -> Subscription | None:
    """Expire one ended subscription, renewing it when ``auto_renew`` (safe to run twice).

    ``actor``: ``SYSTEM`` (the scheduled task) or a manager of the member's makerspace (the admin).

    Renewal needs an active plan and a member who is not suspended; otherwise the subscription lapses,
    the member loses the plan, and an active plain member's membership expires.
    Returns the renewal, or None.
    """
    now = now or timezone.now()
    subscription = Subscription.objects.select_for_update().select_related("plan").filter(pk=subscription_id).first()
    if subscription is None:
        return None
    if actor is not SYSTEM:
        scoping.makerspace_manager_require(user=actor, makerspace_id=subscription.member.makerspace_id)
    if subscription.status != Subscription.Status.ACTIVE or subscription.ends_at > now:
        return None
    member = Member.objects.select_for_update().get(pk=subscription.member_id)
    subscription.status = Subscription.Status.EXPIRED
    subscription.save(update_fields=["status", "updated_at"])
    plan = subscription.plan
    if subscription.auto_renew and plan.active and member.status == Member.Status.ACTIVE:
        starts_at = subscription.ends_at
        ends_at = period_end(plan=plan, starts_at=starts_at)
        while ends_at <= now:  # the task was down for a whole period: skip to the current one
            starts_at, ends_at = ends_at, period_end(plan=plan, starts_at=ends_at)
        renewal = Subscription.objects.create(
            member=member, plan=plan, starts_at=starts_at, ends_at=ends_at, auto_renew=True, renewed_from=subscription
        )
        logger.info("subscription %s renewed as %s", subscription.pk, renewal.pk)
        billing_services.bill_subscription(subscription=renewal, actor=actor)
        return renewal
    member.plan = None
    update = ["plan", "updated_at"]
    if member.status == Member.Status.ACTIVE and member.role == Member.Role.MEMBER:
        member.status = Member.Status.EXPIRED
        member.status_reason = "subscription ended"
        update += ["status", "status_reason"]
        _member_event(member=member, actor=SYSTEM, from_status=Member.Status.ACTIVE, reason="subscription ended")
    member.save(update_fields=update)
    logger.info("subscription %s expired", subscription.pk)
    return None


def subscriptions_expire_due(*, now: datetime | None = None) -> int:
    """Expire (or renew) every active subscription whose period has ended, as ``SYSTEM``; returns how many."""
    now = now or timezone.now()
    ids = list(
        Subscription.objects.filter(status=Subscription.Status.ACTIVE, ends_at__lte=now).values_list("id", flat=True)
    )
    for subscription_id in ids:
        subscription_expire(subscription_id=subscription_id, actor=SYSTEM, now=now)
    return len(ids)
