"""Usage-session reads: the user's own sessions, or those of the makerspaces they staff."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makerspace.models import UsageSession
from makerspace.selectors.scope import own_or_staffed


def usage_session_list(*, user, equipment_id: int | None = None, open_only: bool = False) -> QuerySet[UsageSession]:
    queryset = own_or_staffed(UsageSession.objects.all(), user, own=Q(user=user), path="equipment__makerspace_id")
    if equipment_id is not None:
        queryset = queryset.filter(equipment_id=equipment_id)
    if open_only:
        queryset = queryset.filter(ended_at__isnull=True)
    return queryset.select_related("equipment__makerspace", "user", "member", "reservation").order_by(
        "-started_at", "-id"
    )
