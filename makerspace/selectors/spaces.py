"""Makerspace reads: the spaces a user may see, with hours and closures."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from makerspace.models import Makerspace, OpeningHours
from makerspace.selectors.scope import widen


def makerspace_list(*, user) -> QuerySet[Makerspace]:
    """Active makerspaces for everyone, plus the inactive ones the user manages; hours and closures prefetched."""
    visible = widen(Q(active=True), user=user, path="pk")
    return (
        Makerspace.objects.filter(visible)
        .prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
            "closures",
        )
        .order_by("name", "id")
    )
