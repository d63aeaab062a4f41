"""Maintenance reads: tickets (reporter's own, or staff's makerspaces) and scheduled windows."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makerspace.models import MaintenanceTicket, MaintenanceWindow
from makerspace.selectors.scope import own_or_staffed


def ticket_list(*, user, equipment_id: int | None = None, status: str | None = None) -> QuerySet[MaintenanceTicket]:
    """Staff see the tickets of their makerspaces; others the tickets they reported."""
    queryset = own_or_staffed(
        MaintenanceTicket.objects.all(), user, own=Q(reported_by=user), path="equipment__makerspace_id"
    )
    if equipment_id is not None:
        queryset = queryset.filter(equipment_id=equipment_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("equipment__makerspace", "reported_by", "assignee").order_by("-created_at", "-id")


def window_list(*, user, equipment_id: int | None = None) -> QuerySet[MaintenanceWindow]:
    """Windows are public to everyone signed in (they explain why a slot is not free), for active machines."""
    queryset = MaintenanceWindow.objects.filter(equipment__active=True, equipment__makerspace__active=True)
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if equipment_id is not None:
        queryset = queryset.filter(equipment_id=equipment_id)
    return queryset.select_related("equipment__makerspace", "created_by").order_by("starts_at", "id")
