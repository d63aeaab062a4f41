"""Maintenance reads: tickets and scheduled windows, for the members and staff of the machine's makerspace."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makerspace.models import MaintenanceTicket, MaintenanceWindow
from makerspace.selectors.scope import MEMBER, own_or_space


def ticket_list(*, user) -> QuerySet[MaintenanceTicket]:
    """Tickets of the makerspaces the user belongs to (any role), plus those they reported; platform admins all.

    Ticket titles tell what is wrong with a machine now: they stay inside the makerspace.
    """
    queryset = own_or_space(
        MaintenanceTicket.objects.all(), user, own=Q(reported_by=user), path="equipment__makerspace_id", level=MEMBER
    )
    return queryset.select_related("equipment__makerspace", "reported_by", "assignee").order_by("-created_at", "-id")


def window_list(*, user) -> QuerySet[MaintenanceWindow]:
    """Windows of active machines of the makerspaces the user belongs to (they explain why a slot is not free)."""
    queryset = own_or_space(
        MaintenanceWindow.objects.filter(equipment__active=True, equipment__makerspace__active=True),
        user,
        own=Q(pk__in=[]),
        path="equipment__makerspace_id",
        level=MEMBER,
    )
    return queryset.select_related("equipment__makerspace", "created_by").order_by("starts_at", "id")
