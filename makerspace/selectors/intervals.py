"""Preventive maintenance interval reads: staff of the machine's makerspace."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makerspace.models import MaintenanceInterval
from makerspace.selectors.scope import STAFFED, own_or_space


def interval_list(*, user) -> QuerySet[MaintenanceInterval]:
    """Intervals of machines in the makerspaces the user staffs (all for platform admins)."""
    return (
        own_or_space(
            MaintenanceInterval.objects.all(), user, own=Q(pk__in=[]), path="equipment__makerspace_id", level=STAFFED
        )
        .select_related("equipment")
        .order_by("equipment_id", "id")
    )
