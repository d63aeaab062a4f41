"""Reservation reads: scoped reservation lists and a machine's availability for one local day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import CharField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from makerspace.models import (
    Closure,
    Equipment,
    MaintenanceWindow,
    Member,
    OpeningHours,
    Reservation,
    ReservationEvent,
    Subscription,
)
from makerspace.selectors.scope import own_or_space

# Reservations that count against plan quotas and included hours: everything not cancelled or rejected.
COUNTED_STATUSES = ("pending", "confirmed", "checked_in", "completed", "no_show")


def active_subscription(*, member: Member | None, at: datetime):
    """The member's active subscription whose period covers ``at``, or None.

    Annotated with ``included_used``: the minutes of its included hours its bookings already take (the
    ledger), in the same query.
    """
    if member is None:
        return None
    return (
        Subscription.objects.select_related("plan")
        .filter(member=member, status=Subscription.Status.ACTIVE, starts_at__lte=at, ends_at__gt=at)
        .annotate(
            included_used=Coalesce(
                Sum("reservations__included_minutes", filter=Q(reservations__status__in=COUNTED_STATUSES)), 0
            )
        )
        .order_by("-starts_at", "-id")
        .first()
    )


def included_minutes_used(*, subscription) -> int:
    """Minutes of the subscription's included hours already taken by its bookings (the ledger)."""
    annotated = getattr(subscription, "included_used", None)
    if annotated is not None:
        return int(annotated)
    total = Reservation.objects.filter(subscription=subscription, status__in=COUNTED_STATUSES).aggregate(
        total=Sum("included_minutes")
    )["total"]
    return int(total or 0)


def reservation_list(*, user) -> QuerySet[Reservation]:
    """Members see their own reservations; staff those of their makerspaces; platform admins all."""
    queryset = own_or_space(Reservation.objects.all(), user, own=Q(user=user), path="equipment__makerspace_id")
    return queryset.select_related(
        "equipment__makerspace", "user", "member", "created_by", "cancelled_by", "decided_by", "supervisor"
    ).order_by("starts_at", "id")


def reservation_event_list(*, reservation: Reservation) -> QuerySet[ReservationEvent]:
    """A reservation's history, oldest first (the caller has already checked the reservation is visible)."""
    return ReservationEvent.objects.filter(reservation=reservation).select_related("actor").order_by("created_at", "id")


# --- availability ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    starts_at: datetime
    ends_at: datetime
    kind: str = "free"


@dataclass(frozen=True)
class DayAvailability:
    equipment: Equipment
    date: date
    timezone: str
    closed: bool
    opening: list[Interval]
    busy: list[Interval]
    free: list[Interval]


def _subtract(opening: list[Interval], busy: list[Interval]) -> list[Interval]:
    free = []
    for interval in opening:
        cursor = interval.starts_at
        for block in busy:  # sorted by start
            if block.ends_at <= cursor or block.starts_at >= interval.ends_at:
                continue
            if block.starts_at > cursor:
                free.append(Interval(cursor, block.starts_at))
            cursor = max(cursor, block.ends_at)
        if cursor < interval.ends_at:
            free.append(Interval(cursor, interval.ends_at))
    return free


def equipment_availability(*, equipment: Equipment, day: date, now: datetime | None = None) -> DayAvailability:
    """Free slots of a machine on a local day: opening intervals minus closures, windows and active reservations.

    Three queries whatever the number of reservations: opening hours, closures, and busy ranges
    (reservations and maintenance windows in one UNION). Free time already past is not offered.
    """
    tz = equipment.makerspace.tzinfo
    day_start = datetime.combine(day, time.min, tzinfo=tz)
    day_end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    hours = list(
        OpeningHours.objects.filter(makerspace_id=equipment.makerspace_id, weekday=day.weekday())
        .order_by("opens")
        .values_list("opens", "closes")
    )
    closed = Closure.objects.filter(
        makerspace_id=equipment.makerspace_id, starts_on__lte=day, ends_on__gte=day
    ).exists()
    opening = (
        []
        if closed
        else [Interval(datetime.combine(day, o, tzinfo=tz), datetime.combine(day, c, tzinfo=tz)) for o, c in hours]
    )
    reservations = (
        Reservation.objects.filter(
            equipment_id=equipment.pk,
            status__in=Reservation.ACTIVE_STATUSES,
            starts_at__lt=day_end,
            ends_at__gt=day_start,
        )
        .annotate(kind=Value("reservation", output_field=CharField()))
        .order_by()  # SQLite refuses ORDER BY inside a UNION
        .values_list("starts_at", "ends_at", "kind")
    )
    windows = (
        MaintenanceWindow.objects.filter(
            equipment_id=equipment.pk, cancelled_at__isnull=True, starts_at__lt=day_end, ends_at__gt=day_start
        )
        .annotate(kind=Value("maintenance", output_field=CharField()))
        .order_by()  # SQLite refuses ORDER BY inside a UNION
        .values_list("starts_at", "ends_at", "kind")
    )
    # Arithmetic in UTC: Python compares datetimes sharing one tzinfo by wall clock, which is wrong
    # across a daylight-saving change; the answer is shown in local time.
    busy_utc = sorted(
        (Interval(s.astimezone(UTC), e.astimezone(UTC), k) for s, e, k in reservations.union(windows, all=True)),
        key=lambda i: (i.starts_at, i.ends_at),
    )
    opening_utc = [Interval(i.starts_at.astimezone(UTC), i.ends_at.astimezone(UTC)) for i in opening]
    now = (now or timezone.now()).astimezone(UTC)
    free_utc = [Interval(max(i.starts_at, now), i.ends_at) for i in _subtract(opening_utc, busy_utc) if i.ends_at > now]

    def local(intervals: list[Interval]) -> list[Interval]:
        return [Interval(i.starts_at.astimezone(tz), i.ends_at.astimezone(tz), i.kind) for i in intervals]

    return DayAvailability(
        equipment=equipment,
        date=day,
        timezone=equipment.makerspace.timezone,
        closed=closed,
        opening=local(opening_utc),
        busy=local(busy_utc),
        free=local(free_utc),
    )
