"""Plan and subscription reads, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makerspace.models import MembershipPlan, Subscription
from makerspace.selectors.scope import STAFFED, widen


def plan_list(*, user) -> QuerySet[MembershipPlan]:
    """Active plans of active makerspaces; managers also see their inactive plans."""
    visible = widen(Q(active=True, makerspace__active=True), user=user, path="makerspace_id")
    return (
        MembershipPlan.objects.filter(visible)
        .select_related("makerspace")
        .order_by("makerspace_id", "price", "name", "id")
    )


def subscription_list(*, user) -> QuerySet[Subscription]:
    """The user's own subscriptions plus those of members of makerspaces they staff."""
    if not getattr(user, "is_authenticated", False):
        return Subscription.objects.none()
    visible = widen(Q(member__user=user), user=user, path="member__makerspace_id", level=STAFFED)
    return (
        Subscription.objects.filter(visible)
        .select_related("member__user", "member__makerspace", "plan")
        .order_by("-starts_at", "-id")
    )
