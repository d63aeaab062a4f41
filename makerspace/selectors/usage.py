"""Usage-session reads: the user's own sessions, or those of the makerspaces they staff."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makerspace.models import UsageSession
from makerspace.selectors.scope import own_or_space


def usage_session_list(*, user) -> QuerySet[UsageSession]:
    """The user's own sessions plus those of the makerspaces they staff (platform admins: all)."""
    queryset = own_or_space(UsageSession.objects.all(), user, own=Q(user=user), path="equipment__makerspace_id")
    return queryset.select_related("equipment__makerspace", "user", "member", "reservation").order_by(
        "-started_at", "-id"
    )
