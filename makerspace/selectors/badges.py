"""Badge reads: a makerspace's badges and the badges a member holds."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makerspace.models import Badge, Member, MemberBadge
from makerspace.selectors.scope import widen


def badge_list(*, user) -> QuerySet[Badge]:
    """Badges of active makerspaces (managers also see those of their inactive ones)."""
    return (
        Badge.objects.filter(widen(Q(makerspace__active=True), user=user, path="makerspace_id"))
        .select_related("makerspace")
        .prefetch_related("required_skills")
        .order_by("makerspace_id", "name", "id")
    )


def member_badge_list(*, member: Member) -> QuerySet[MemberBadge]:
    """The badges a member holds, newest first."""
    return MemberBadge.objects.filter(member=member).select_related("badge").order_by("-awarded_at", "-id")
