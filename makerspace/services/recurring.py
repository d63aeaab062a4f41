"""Recurring bookings: a series of occurrences booked together, all or none, and cancelled one or the rest.

Each occurrence keeps the first one's local wall-clock time (a weekly 18:00 stays 18:00 across a daylight-
saving change). Every occurrence is checked under one set of booking locks, each in its own savepoint, so
plan limits count the earlier occurrences and a refusal names every date that cannot be booked: 409
``slot_taken`` (or the first refusal's code when no date is taken) with ``errors`` keyed by local date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from makerspace.models import Equipment, Member, Reservation, ReservationSeries
from makerspace.selectors.space_settings import booking_rules
from makerspace.services import reservations as reservation_services
from makrx.errors import ConflictError, DomainError, ValidationError
from makrx.notifications import notify

MAX_OCCURRENCES = 52
STEP = {ReservationSeries.Every.DAY: timedelta(days=1), ReservationSeries.Every.WEEK: timedelta(days=7)}


def occurrences(
    *, equipment: Equipment, starts_at: datetime, ends_at: datetime, every: str, count=None, until: date | None = None
) -> list[tuple[datetime, datetime]]:
    """The series' ranges: ``count`` of them, or every one whose local date is on or before ``until``."""
    if every not in STEP:
        raise ValidationError("every: day or week.", errors={"repeat": ["every: day or week."]})
    if (count is None) == (until is None):
        raise ValidationError("A series gives count or until.", errors={"repeat": ["Give count or until."]})
    tz = equipment.makerspace.tzinfo
    local_start, local_end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    span_days = local_end.date() - local_start.date()
    step = STEP[every]
    if until is not None:
        if until < local_start.date():
            raise ValidationError("until is before the first date.", errors={"repeat": ["until before start."]})
        count = (until - local_start.date()) // step + 1
    if not 2 <= count <= MAX_OCCURRENCES:
        raise ValidationError(
            f"A series has 2–{MAX_OCCURRENCES} occurrences.", errors={"repeat": [f"2–{MAX_OCCURRENCES} occurrences."]}
        )
    ranges = []
    for index in range(count):
        day = local_start.date() + step * index
        start = datetime.combine(day, local_start.time(), tzinfo=tz)
        end = datetime.combine(day + span_days, local_end.time(), tzinfo=tz)
        ranges.append((start, end))
    return ranges


def reservation_series_create(
    *,
    actor,
    equipment: Equipment,
    starts_at: datetime,
    ends_at: datetime,
    every: str,
    count: int | None = None,
    until: date | None = None,
    member: Member | None = None,
    notes: str = "",
    promo_code: str = "",
    supervisor=None,
) -> tuple[ReservationSeries, list[Reservation]]:
    """Book every occurrence or none; the refusal lists each date that cannot be booked and why."""
    rules = booking_rules(makerspace_id=equipment.makerspace_id)
    reservation_services.check_range(starts_at, ends_at, now=timezone.now(), rules=rules)
    ranges = occurrences(
        equipment=equipment, starts_at=starts_at, ends_at=ends_at, every=every, count=count, until=until
    )
    now = timezone.now()
    invalid = {}
    for start, end in ranges:
        try:
            reservation_services.check_range(start, end, now=now, rules=rules)
        except ValidationError as exc:
            invalid[start.date().isoformat()] = [exc.detail]
    if invalid:
        raise ValidationError("Some dates of the series cannot be booked.", errors=invalid)
    with transaction.atomic():
        ctx = reservation_services.booking_context(
            actor=actor, equipment=equipment, member=member, notes=notes, promo_code=promo_code, supervisor=supervisor
        )
        series = ReservationSeries.objects.create(
            equipment=ctx.machine, user=ctx.user, every=every, count=len(ranges), created_by=actor
        )
        ctx.series = series
        booked, conflicts, codes = [], {}, []
        for start, end in ranges:
            try:
                with transaction.atomic():
                    booked.append(
                        reservation_services.book_locked(ctx, starts_at=start, ends_at=end, send_notice=False)
                    )
            except ConflictError as exc:
                conflicts[start.date().isoformat()] = [exc.detail]
                codes.append(exc.code)
            except DomainError as exc:  # a per-date validation refusal: same report, all or none
                conflicts[start.date().isoformat()] = [exc.detail]
                codes.append(exc.code)
        if conflicts:
            code = "slot_taken" if "slot_taken" in codes else codes[0]
            raise ConflictError(
                f"{len(conflicts)} of {len(ranges)} dates cannot be booked; nothing was booked.",
                code=code,
                errors=conflicts,
            )
        first = booked[0]
        context = {**reservation_services.notice_context(first), "series_count": len(booked)}
        notify(ctx.user, f"reservation.{first.status}", context, makerspace=ctx.machine.makerspace_id)
        return series, booked


@transaction.atomic
def reservation_series_cancel_following(*, reservation: Reservation, actor, reason: str = "") -> list[Reservation]:
    """Cancel this occurrence and every later one of its series that can still be cancelled (same rules each)."""
    if reservation.series_id is None:
        raise ValidationError("That reservation is not part of a series.", errors={"scope": ["Not in a series."]})
    following = Reservation.objects.filter(
        series_id=reservation.series_id,
        starts_at__gte=reservation.starts_at,
        status__in=(Reservation.Status.PENDING, Reservation.Status.CONFIRMED),
    ).order_by("starts_at")
    return [reservation_services.reservation_cancel(reservation=r, actor=actor, reason=reason) for r in following]
