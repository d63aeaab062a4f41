"""Pricing reads: cost rules and promo codes (staff of their makerspace), and a machine's quote."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from makerspace.models import CostRule, Equipment, Member, PromoCode, Subscription
from makerspace.selectors import members as member_selectors
from makerspace.selectors.reservations import active_subscription, included_minutes_used
from makerspace.selectors.scope import STAFFED, own_or_space
from makerspace.services import pricing
from makrx.auth import scoping
from makrx.errors import NotFound


def cost_rule_list(*, user) -> QuerySet[CostRule]:
    """Rules of the makerspaces the user staffs (all for platform admins)."""
    queryset = own_or_space(CostRule.objects.all(), user, own=Q(pk__in=[]), path="makerspace_id", level=STAFFED)
    return queryset.select_related("makerspace", "equipment", "plan", "skill").order_by(
        "makerspace_id", "priority", "id"
    )


def promo_code_list(*, user) -> QuerySet[PromoCode]:
    """Promo codes of the makerspaces the user staffs (all for platform admins)."""
    queryset = own_or_space(PromoCode.objects.all(), user, own=Q(pk__in=[]), path="makerspace_id", level=STAFFED)
    return queryset.select_related("makerspace").order_by("makerspace_id", "code", "id")


def priceable_equipment_get(*, user, pk: int) -> Equipment:
    """The machine whose price the user asks for, by ``equipment_list``'s visibility rule (active machines of
    active makerspaces; inactive ones for their managers and platform admins), else 404. One query for an
    active machine: the manager check runs only for an inactive one."""
    equipment = Equipment.objects.select_related("makerspace").filter(pk=pk).first()
    if equipment is None:
        raise NotFound("No such machine.")
    if not (equipment.active and equipment.makerspace.active) and not scoping.can_manage_makerspace(
        user, equipment.makerspace_id
    ):
        raise NotFound("No such machine.")
    return equipment


def equipment_price(
    *, equipment: Equipment, user, starts_at: datetime, ends_at: datetime, promo_code: str = ""
) -> pricing.Quote:
    """What the user would pay to book the machine now (their plan's discount and included hours left counted).

    Read-only: nothing is locked or redeemed, so the booking itself may still price differently if the
    member books elsewhere in between. Only active members of the machine's makerspace (and platform admins)
    ask: 403 ``not_makerspace_member`` otherwise. The makerspace's rules come from the cache
    (``pricing.space_rules``).
    """
    member = member_selectors.member_for(user=user, makerspace=equipment.makerspace_id)
    if member is None or member.status != Member.Status.ACTIVE:
        # The membership row already says yes for members; only others pay for the full check.
        scoping.makerspace_member_require(user=user, makerspace_id=equipment.makerspace_id)
    subscription: Subscription | None = active_subscription(member=member, at=starts_at) if member else None
    included = 0
    if subscription is not None and member.role == "member":
        minutes = int((ends_at - starts_at).total_seconds() // 60)
        left = max(0, int(subscription.plan.included_hours * 60) - included_minutes_used(subscription=subscription))
        included = min(minutes, left)
    promo = pricing.promo_code_find(makerspace_id=equipment.makerspace_id, code=promo_code) if promo_code else None
    return pricing.price_quote(
        equipment=equipment,
        starts_at=starts_at,
        ends_at=ends_at,
        rules=pricing.rules_for(equipment),
        plan_id=getattr(member, "plan_id", None),
        included_minutes=included,
        promo=promo,
    )
