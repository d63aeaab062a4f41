"""Maintenance writes: tickets (report, assign, resolve, close) and scheduled windows, and the status they set.

Status rules: an open *blocking* ticket or an active window puts the machine in ``maintenance``; when the
last of them ends the machine returns to ``available`` (an ``offline`` machine stays offline). Every change
goes through ``equipment_status_apply`` so the machine's history says which ticket or window caused it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from makerspace.models import Equipment, EquipmentStatusChange, MaintenanceTicket, MaintenanceWindow, Reservation
from makerspace.selectors.maintenance import maintenance_affected_reservations
from makerspace.services.equipment import equipment_status_apply
from makerspace.services.reservations import (
    overlapping_reservations,
    reservation_cancel,
    reservations_cancel_overlapping,
)
from makrx.auth import scoping
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, InvalidTransition, PermissionDenied, ValidationError

MAX_WINDOW = timedelta(days=31)


def _blocking_open(equipment_id: int, *, exclude_ticket=None) -> bool:
    queryset = MaintenanceTicket.objects.filter(
        equipment_id=equipment_id, blocking=True, status__in=MaintenanceTicket.OPEN_STATUSES
    )
    if exclude_ticket is not None:
        queryset = queryset.exclude(pk=exclude_ticket)
    return queryset.exists()


def _window_active(equipment_id: int, *, at: datetime, exclude_window=None):
    queryset = MaintenanceWindow.objects.filter(
        equipment_id=equipment_id, cancelled_at__isnull=True, starts_at__lte=at, ends_at__gt=at
    )
    if exclude_window is not None:
        queryset = queryset.exclude(pk=exclude_window)
    return queryset.order_by("starts_at").first()


def _release(equipment: Equipment, *, actor, reason: str, ticket=None, window=None) -> None:
    """Return a machine in maintenance to available when no blocking ticket and no active window remain."""
    locked = Equipment.objects.select_for_update().get(pk=equipment.pk)
    if locked.status != Equipment.Status.MAINTENANCE:
        return
    if _blocking_open(locked.pk) or _window_active(locked.pk, at=timezone.now()):
        return
    equipment_status_apply(
        equipment=locked, to_status=Equipment.Status.AVAILABLE, actor=actor, reason=reason, ticket=ticket, window=window
    )


def _take_out(equipment: Equipment, *, actor, reason: str, ticket=None, window=None) -> None:
    locked = Equipment.objects.select_for_update().get(pk=equipment.pk)
    if locked.status in (Equipment.Status.MAINTENANCE, Equipment.Status.OFFLINE):
        return
    equipment_status_apply(
        equipment=locked,
        to_status=Equipment.Status.MAINTENANCE,
        actor=actor,
        reason=reason,
        ticket=ticket,
        window=window,
    )


# --- tickets ------------------------------------------------------------------------------------


@transaction.atomic
def ticket_report(
    *, actor, equipment: Equipment, title: str, description: str = "", priority: str = "medium", blocking=False
) -> MaintenanceTicket:
    """Members and staff of the machine's makerspace report a problem; only staff open a *blocking* ticket."""
    user = actor
    scoping.makerspace_member_require(user=user, makerspace_id=equipment.makerspace_id)
    if blocking and not scoping.can_staff_makerspace(user, equipment.makerspace_id):
        raise PermissionDenied(
            "Only staff open blocking tickets; report it and staff will take the machine out.", code=scoping.NOT_STAFF
        )
    if priority not in MaintenanceTicket.Priority.values:
        raise ValidationError("Unknown priority.", errors={"priority": ["Unknown priority."]})
    ticket = MaintenanceTicket.objects.create(
        equipment=equipment,
        reported_by=user,
        title=title,
        description=description,
        priority=priority,
        blocking=blocking,
    )
    if blocking:
        _take_out(equipment, actor=user, reason=f"blocking ticket #{ticket.pk}: {title}"[:500], ticket=ticket)
    return ticket


def _lock_ticket(ticket: MaintenanceTicket, actor) -> MaintenanceTicket:
    locked = MaintenanceTicket.objects.select_for_update().select_related("equipment").get(pk=ticket.pk)
    scoping.makerspace_staff_require(user=actor, makerspace_id=locked.equipment.makerspace_id)
    return locked


@transaction.atomic
def ticket_assign(*, ticket: MaintenanceTicket, actor, assignee) -> MaintenanceTicket:
    """Staff assign a ticket (to staff of the machine's makerspace); an open ticket moves to in progress."""
    locked = _lock_ticket(ticket, actor)
    if locked.status not in MaintenanceTicket.OPEN_STATUSES:
        raise InvalidTransition(f"A {locked.get_status_display().lower()} ticket cannot be assigned.")
    if assignee is not None and not scoping.can_staff_makerspace(assignee, locked.equipment.makerspace_id):
        raise ValidationError(
            "The assignee must be staff of the machine's makerspace.", errors={"assignee": ["Not staff here."]}
        )
    locked.assignee = assignee
    locked.status = MaintenanceTicket.Status.IN_PROGRESS
    locked.save(update_fields=["assignee", "status", "updated_at"])
    return locked


@transaction.atomic
def ticket_update(*, ticket: MaintenanceTicket, actor, **fields) -> MaintenanceTicket:
    """Staff edit title, description, priority and ``blocking`` (which takes the machine out or releases it)."""
    user = actor
    locked = _lock_ticket(ticket, actor)
    allowed = {"title", "description", "priority", "blocking"}
    if set(fields) - allowed:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(set(fields) - allowed))}.")
    if "priority" in fields and fields["priority"] not in MaintenanceTicket.Priority.values:
        raise ValidationError("Unknown priority.", errors={"priority": ["Unknown priority."]})
    was_blocking = locked.blocking
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    is_open = locked.status in MaintenanceTicket.OPEN_STATUSES
    if is_open and locked.blocking and not was_blocking:
        _take_out(locked.equipment, actor=user, reason=f"ticket #{locked.pk} marked blocking", ticket=locked)
    elif is_open and was_blocking and not locked.blocking:
        _release(locked.equipment, actor=user, reason=f"ticket #{locked.pk} no longer blocking", ticket=locked)
    return locked


def _finish(ticket: MaintenanceTicket, user, *, to_status: str, resolution: str) -> MaintenanceTicket:
    locked = _lock_ticket(ticket, user)
    allowed_from = (
        MaintenanceTicket.OPEN_STATUSES
        if to_status == MaintenanceTicket.Status.RESOLVED
        else (*MaintenanceTicket.OPEN_STATUSES, MaintenanceTicket.Status.RESOLVED)
    )
    if locked.status not in allowed_from:
        raise InvalidTransition(f"A {locked.get_status_display().lower()} ticket cannot become {to_status}.")
    was_open = locked.status in MaintenanceTicket.OPEN_STATUSES
    locked.status = to_status
    if resolution:
        locked.resolution = resolution
    if locked.resolved_at is None:
        locked.resolved_at = timezone.now()
    locked.save(update_fields=["status", "resolution", "resolved_at", "updated_at"])
    if was_open and locked.blocking:
        _release(locked.equipment, actor=user, reason=f"ticket #{locked.pk} {to_status}", ticket=locked)
    return locked


@transaction.atomic
def ticket_resolve(*, ticket: MaintenanceTicket, actor, resolution: str) -> MaintenanceTicket:
    """Staff resolve an open ticket; the last blocking one returns the machine to available (unless a window runs)."""
    if not resolution.strip():
        raise ValidationError("Say how it was resolved.", errors={"resolution": ["Required."]})
    return _finish(ticket, actor, to_status=MaintenanceTicket.Status.RESOLVED, resolution=resolution)


@transaction.atomic
def ticket_close(*, ticket: MaintenanceTicket, actor, resolution: str = "") -> MaintenanceTicket:
    """Staff close a resolved ticket, or an open one that needs no work (duplicate, not reproducible)."""
    return _finish(ticket, actor, to_status=MaintenanceTicket.Status.CLOSED, resolution=resolution)


# --- windows ------------------------------------------------------------------------------------


@transaction.atomic
def window_schedule(
    *,
    actor,
    equipment: Equipment,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = "",
    cancel_reservations: bool = False,
) -> MaintenanceWindow:
    """Staff schedule maintenance; overlapping reservations refuse it (409 ``reservation_conflict`` with their
    ids) unless ``cancel_reservations``, which cancels them with the window's reason."""
    user = actor
    scoping.makerspace_staff_require(user=actor, makerspace_id=equipment.makerspace_id)
    now = timezone.now()
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError("Times need a UTC offset or time zone.", errors={"starts_at": ["Naive datetime."]})
    if ends_at <= starts_at:
        raise ValidationError("The window must end after it starts.", errors={"ends_at": ["Must be after start."]})
    if ends_at <= now:
        raise ValidationError("The window is already over.", errors={"ends_at": ["In the past."]})
    if ends_at - starts_at > MAX_WINDOW:
        raise ValidationError("A maintenance window lasts at most 31 days.", errors={"ends_at": ["Too long."]})
    locked = Equipment.objects.select_for_update().get(pk=equipment.pk)
    clashing = list(
        overlapping_reservations(equipment_id=locked.pk, starts_at=starts_at, ends_at=ends_at).values_list(
            "pk", flat=True
        )
    )
    if clashing and not cancel_reservations:
        raise ConflictError(
            f"{len(clashing)} reservation(s) overlap this window; cancel them or pass cancel_reservations.",
            code="reservation_conflict",
            errors={"reservations": [str(pk) for pk in clashing]},
        )
    window = MaintenanceWindow.objects.create(
        equipment=locked, starts_at=starts_at, ends_at=ends_at, reason=reason, created_by=user
    )
    if clashing:
        reservations_cancel_overlapping(
            equipment_id=locked.pk,
            starts_at=starts_at,
            ends_at=ends_at,
            actor=actor,
            reason=f"Maintenance: {reason}" if reason else "Scheduled maintenance",
        )
    if starts_at <= now:
        _take_out(locked, actor=user, reason=f"maintenance window #{window.pk}", window=window)
    return window


@transaction.atomic
def window_cancel(*, window: MaintenanceWindow, actor) -> MaintenanceWindow:
    """Staff cancel a window that has not ended; a running one releases the machine."""
    user = actor
    locked = MaintenanceWindow.objects.select_for_update().select_related("equipment").get(pk=window.pk)
    scoping.makerspace_staff_require(user=actor, makerspace_id=locked.equipment.makerspace_id)
    now = timezone.now()
    if locked.cancelled_at is not None or locked.ends_at <= now:
        raise InvalidTransition("Only a window that is scheduled or running can be cancelled.")
    locked.cancelled_at = now
    locked.save(update_fields=["cancelled_at", "updated_at"])
    if locked.starts_at <= now:
        _release(locked.equipment, actor=user, reason=f"maintenance window #{locked.pk} cancelled", window=locked)
    return locked


def maintenance_bookings_cancel(
    *, actor, ticket: MaintenanceTicket | None = None, window: MaintenanceWindow | None = None
) -> list[int]:
    """Staff cancel the bookings a maintenance affects (see ``maintenance_affected_reservations``), each through
    ``reservation_cancel`` with the maintenance as the reason, so each member gets one ``reservation.cancelled``
    notification saying why. Bookings already checked in are left to staff. Running it again cancels nothing more."""
    source = ticket or window
    if source is None:
        raise ValidationError("Name a ticket or a window.", errors={"ticket": ["Required."]})
    scoping.makerspace_staff_require(user=actor, makerspace_id=source.equipment.makerspace_id)
    reason = f"Maintenance: {ticket.title}" if ticket is not None else f"Maintenance: {window.reason or 'scheduled'}"
    cancelled = []
    cancellable = (Reservation.Status.PENDING, Reservation.Status.CONFIRMED)
    affected = maintenance_affected_reservations(ticket=ticket, window=window).filter(status__in=cancellable)
    for reservation in affected:
        with transaction.atomic():
            reservation_cancel(reservation=reservation, actor=actor, reason=reason[:500])
        cancelled.append(reservation.pk)
    return cancelled


def _status_set_by_window(equipment_id: int) -> bool:
    last = EquipmentStatusChange.objects.filter(equipment_id=equipment_id).order_by("-created_at", "-id").first()
    return last is not None and last.window_id is not None and last.to_status == Equipment.Status.MAINTENANCE


def maintenance_windows_apply(*, now: datetime | None = None) -> int:
    """Flip machine status at window starts and ends, as ``SYSTEM`` (the scheduled task); safe to run any number
    of times. Returns changes made."""
    now = now or timezone.now()
    changes = 0
    starting = (
        MaintenanceWindow.objects.filter(cancelled_at__isnull=True, starts_at__lte=now, ends_at__gt=now)
        .exclude(equipment__status__in=[Equipment.Status.MAINTENANCE, Equipment.Status.OFFLINE])
        .select_related("equipment")
    )
    for window in starting:
        with transaction.atomic():
            before = Equipment.objects.select_for_update().get(pk=window.equipment_id).status
            _take_out(window.equipment, actor=SYSTEM, reason=f"maintenance window #{window.pk} started", window=window)
            changes += before != Equipment.objects.get(pk=window.equipment_id).status
    in_maintenance = Equipment.objects.filter(status=Equipment.Status.MAINTENANCE).values_list("pk", flat=True)
    for equipment_id in in_maintenance:
        with transaction.atomic():
            if not _status_set_by_window(equipment_id):
                continue  # set by a ticket or by hand: not ours to undo
            equipment = Equipment.objects.select_for_update().get(pk=equipment_id)
            if _window_active(equipment_id, at=now) or _blocking_open(equipment_id):
                continue
            ended = MaintenanceWindow.objects.filter(equipment_id=equipment_id, starts_at__lte=now).order_by("-ends_at")
            equipment_status_apply(
                equipment=equipment,
                to_status=Equipment.Status.AVAILABLE,
                actor=SYSTEM,
                reason="maintenance window ended",
                window=ended.first(),
            )
            changes += 1
    return changes
