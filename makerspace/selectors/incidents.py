"""Safety incident reads: staff of the makerspace only (members never list them)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makerspace.models import SafetyIncident
from makerspace.selectors.scope import STAFFED, own_or_space


def incident_list(*, user) -> QuerySet[SafetyIncident]:
    """Incidents of the makerspaces the user staffs (all for platform admins), newest first."""
    return (
        own_or_space(SafetyIncident.objects.all(), user, own=Q(pk__in=[]), path="makerspace_id", level=STAFFED)
        .select_related("equipment", "member__user", "reported_by")
        .prefetch_related("suspended_grants")
        .order_by("-occurred_at", "-id")
    )
