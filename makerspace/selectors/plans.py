"""Plan and subscription reads, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makerspace.models import MembershipPlan, Subscription
from makerspace.selectors.scope import widen


def plan_list(*, user, makerspace_id: int | None = None) -> QuerySet[MembershipPlan]:
    """Active plans of active makerspaces; managers also see their inactive plans."""
    visible = widen(Q(active=True, makerspace__active=True), user=user, path="makerspace_id")
    queryset = MembershipPlan.objects.filter(visible)
    if makerspace_id is not None:
        queryset = queryset.filter(makerspace_id=makerspace_id)
    return queryset.select_related("makerspace").order_by("makerspace_id", "price", "name", "id")


def subscription_list(*, user, makerspace_id: int | None = None) -> QuerySet[Subscription]:
    """The user's own subscriptions plus those of members of makerspaces they manage."""
    if not getattr(user, "is_authenticated", False):
        return Subscription.objects.none()
    queryset = Subscription.objects.filter(widen(Q(member__user=user), user=user, path="member__makerspace_id"))
    if makerspace_id is not None:
        queryset = queryset.filter(member__makerspace_id=makerspace_id)
    return queryset.select_related("member__user", "member__makerspace", "plan").order_by("-starts_at", "-id")
