"""Maintenance reads: tickets and scheduled windows, for the members and staff of the machine's makerspace."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from makerspace.models import MaintenanceTicket, MaintenanceWindow, Reservation
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


def maintenance_affected_reservations(
    *, ticket: MaintenanceTicket | None = None, window: MaintenanceWindow | None = None
):
    """The bookings a machine's maintenance affects, by start: those overlapping a window that is not cancelled,
    or, for an open *blocking* ticket (no end known), those of the machine that have not ended yet."""
    if window is not None:
        if window.cancelled_at is not None or window.ends_at <= timezone.now():
            return Reservation.objects.none()
        queryset = Reservation.objects.filter(
            equipment_id=window.equipment_id,
            status__in=Reservation.ACTIVE_STATUSES,
            starts_at__lt=window.ends_at,
            ends_at__gt=window.starts_at,
        )
    elif ticket is not None and ticket.blocking and ticket.status in MaintenanceTicket.OPEN_STATUSES:
        queryset = Reservation.objects.filter(
            equipment_id=ticket.equipment_id, status__in=Reservation.ACTIVE_STATUSES, ends_at__gt=timezone.now()
        )
    else:
        return Reservation.objects.none()
    return queryset.select_related("user", "equipment__makerspace").order_by("starts_at", "id")
