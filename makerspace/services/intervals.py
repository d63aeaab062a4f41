"""Preventive maintenance intervals: every N hours of use or every N days, a ticket opens when service is due.

The count starts at the interval's ``starts_at`` and restarts when its last preventive ticket is resolved
or closed; while that ticket is open nothing new is due. The scheduled task opens at most one ticket per
due date: the due date is part of the ticket (unique per interval), so running the task twice, or on two
workers at once, never duplicates it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from makerspace.models import Equipment, MaintenanceInterval, MaintenanceTicket, UsageSession
from makrx.auth import scoping
from makrx.errors import ValidationError

logger = logging.getLogger(__name__)

EDITABLE = ("title", "every_hours", "every_days", "active")


def _check(interval: MaintenanceInterval) -> None:
    if not interval.title or not interval.title.strip():
        raise ValidationError("Name the service to do.", errors={"title": ["Required."]})
    hours, days = interval.every_hours, interval.every_days
    if (hours is None) == (days is None) or (hours is not None and hours < 1) or (days is not None and days < 1):
        raise ValidationError(
            "Give either every_hours or every_days (a whole number from 1).",
            errors={"every_hours": ["Exactly one of every_hours and every_days."]},
        )


@transaction.atomic
def interval_create(
    *,
    actor,
    equipment: Equipment,
    title: str,
    every_hours: int | None = None,
    every_days: int | None = None,
    starts_at: datetime | None = None,
) -> MaintenanceInterval:
    """Staff of the machine's makerspace set a preventive maintenance interval (counting from ``starts_at``/now)."""
    scoping.makerspace_staff_require(user=actor, makerspace_id=equipment.makerspace_id)
    interval = MaintenanceInterval(
        equipment=equipment,
        title=title.strip(),
        every_hours=every_hours,
        every_days=every_days,
        starts_at=starts_at or timezone.now(),
        created_by=actor,
    )
    _check(interval)
    interval.save()
    return interval


@transaction.atomic
def interval_update(*, interval: MaintenanceInterval, actor, **fields) -> MaintenanceInterval:
    """Edit an interval (staff); switching between hours and days needs the other one set to null."""
    interval = (
        MaintenanceInterval.objects.select_for_update(of=("self",)).select_related("equipment").get(pk=interval.pk)
    )
    scoping.makerspace_staff_require(user=actor, makerspace_id=interval.equipment.makerspace_id)
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValidationError(f"Unknown field {name!r}.")
        setattr(interval, name, value.strip() if name == "title" else value)
    _check(interval)
    interval.save()
    return interval


def interval_due_at(*, interval: MaintenanceInterval) -> datetime | None:
    """When the next preventive service falls due (maybe in the future), or None (a ticket is open, or not enough use).

    By days: the counting start plus N days. By hours: the end of the usage session that brings the machine's
    use since the counting start to N hours (a session running across the start counts from the start).
    """
    tickets = MaintenanceTicket.objects.filter(interval=interval)
    if tickets.filter(status__in=MaintenanceTicket.OPEN_STATUSES).exists():
        return None
    last_done = tickets.aggregate(done=Max(Coalesce("resolved_at", "updated_at")))["done"]
    since = max(interval.starts_at, last_done) if last_done else interval.starts_at
    if interval.every_days:
        return since + timedelta(days=interval.every_days)
    needed = timedelta(hours=interval.every_hours)
    used = timedelta()
    sessions = (
        UsageSession.objects.filter(equipment_id=interval.equipment_id, ended_at__gt=since)
        .order_by("ended_at", "id")
        .values_list("started_at", "ended_at")
    )
    for started_at, ended_at in sessions.iterator(chunk_size=500):
        used += ended_at - max(started_at, since)
        if used >= needed:
            return ended_at
    return None


def _open_if_due(interval_id: int, now: datetime) -> MaintenanceTicket | None:
    with transaction.atomic():
        interval = (
            MaintenanceInterval.objects.select_for_update(of=("self",))
            .select_related("equipment")
            .filter(pk=interval_id, active=True)
            .first()
        )
        if interval is None:
            return None
        due_at = interval_due_at(interval=interval)
        if due_at is None or due_at > now:
            return None
        if MaintenanceTicket.objects.filter(interval=interval, due_at=due_at).exists():
            return None
        try:
            with transaction.atomic():
                ticket = MaintenanceTicket.objects.create(
                    equipment=interval.equipment,
                    title=f"Preventive maintenance: {interval.title}"[:200],
                    description=f"Due {due_at:%Y-%m-%d %H:%M} UTC ({interval}).",
                    priority=MaintenanceTicket.Priority.MEDIUM,
                    interval=interval,
                    due_at=due_at,
                )
        except IntegrityError:  # another worker opened it a moment ago
            return None
    logger.info("preventive ticket %s opened for interval %s (due %s)", ticket.pk, interval_id, due_at)
    return ticket


def preventive_tickets_open_due(*, now: datetime | None = None) -> int:
    """Open the preventive tickets that are due (system path); safe to run any number of times."""
    now = now or timezone.now()
    ids = list(MaintenanceInterval.objects.filter(active=True).values_list("id", flat=True))
    return sum(1 for interval_id in ids if _open_if_due(interval_id, now) is not None)
