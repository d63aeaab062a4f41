"""Reservation writes: booking with every booking rule, cancellation, check-in, no-show, completion.

Who may act: members book for themselves (their membership is checked with the access rules), staff
of the machine's makerspace book for a member and run check-in, no-show and completion; a member
cancels their own reservation until the cut-off, staff cancel any of their makerspace's (with a reason).

Checks run in a fixed order, each with its own 409 code: ``equipment_unavailable``, then the access function
(``services/access.py``: ``membership_inactive``, ``skill_required``, ``plan_limit``, ``plan_required``,
``outside_staffed_hours``; a ``warn`` skill gate flags the booking instead), ``plan_limit`` (quotas), ``outside_opening_hours``, ``maintenance_window``, ``slot_taken``,
``supervisor_busy``, ``promo_invalid``/``promo_exhausted``. ``lock_for_booking`` takes the one lock order
(member rows, then the machine), so per-member limits hold whatever machines a member books at once; on
PostgreSQL the exclusion constraint ``reservation_no_overlap`` is the final guard for the slot (its violation
becomes ``slot_taken``, never a 500). Every state change writes a ``ReservationEvent`` and notifies the member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from makerspace.models import (
    Closure,
    Equipment,
    MaintenanceWindow,
    Member,
    OpeningHours,
    PromoRedemption,
    Reservation,
    ReservationEvent,
)
from makerspace.selectors import members as member_selectors
from makerspace.selectors.reservations import COUNTED_STATUSES, active_subscription, included_minutes_used
from makerspace.selectors.space_settings import BookingRules, booking_rules
from makerspace.selectors.waitlist import offer_holds_slot
from makerspace.services import billing as billing_services
from makerspace.services import pricing
from makerspace.services.access import AccessDecision, member_can_use_equipment, outside_staffed_hours
from makrx import metrics
from makrx.auth import roles, scoping
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, InvalidTransition, PermissionDenied, ValidationError
from makrx.notifications import notify

# A booking may start a little in the past (clock skew, "book now" forms).
PAST_GRACE = timedelta(minutes=5)
# Staff may check a member in this long before the slot starts.
CHECK_IN_EARLY = timedelta(minutes=30)
EXCLUSION_VIOLATION = "23P01"


def cancel_cutoff(makerspace_id: int | None = None) -> timedelta:
    """How long before the start a member may still cancel their own reservation (the space's settings)."""
    return booking_rules(makerspace_id=makerspace_id).cancel_cutoff


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def check_range(starts_at: datetime, ends_at: datetime, *, now: datetime, rules: BookingRules | None = None) -> None:
    """Shape of a booking's range under the makerspace's booking rules (``rules`` None: the platform defaults)."""
    rules = rules or booking_rules(makerspace_id=None)
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError("Times need a UTC offset or time zone.", errors={"starts_at": ["Naive datetime."]})
    if ends_at <= starts_at:
        raise ValidationError("The reservation must end after it starts.", errors={"ends_at": ["Must be after start."]})
    if starts_at < now - PAST_GRACE:
        raise ValidationError("The reservation cannot start in the past.", errors={"starts_at": ["In the past."]})
    if ends_at - starts_at < rules.min_length:
        raise ValidationError(
            f"A reservation lasts at least {_minutes(rules.min_length)} minutes.", errors={"ends_at": ["Too short."]}
        )
    if ends_at - starts_at > rules.max_length:
        raise ValidationError(
            f"A reservation lasts at most {_minutes(rules.max_length)} minutes.", errors={"ends_at": ["Too long."]}
        )
    if starts_at > now + rules.horizon:
        raise ValidationError(
            f"Reservations open at most {rules.horizon.days} days ahead.", errors={"starts_at": ["Too far ahead."]}
        )


def _check_lead_time(*, rules: BookingRules, starts_at: datetime, staff: bool) -> None:
    """Members book at least the space's lead time ahead (staff are not bound)."""
    if not staff and rules.lead_time and starts_at < timezone.now() + rules.lead_time:
        raise ValidationError(
            f"Book at least {_minutes(rules.lead_time)} minutes ahead.", errors={"starts_at": ["Too soon."]}
        )


def _check_plan_quota(*, member: Member | None, equipment: Equipment, starts_at: datetime, ends_at: datetime) -> None:
    """Plan length and per-week limits for plain members on a plan (staff roles are not limited)."""
    if member is None or member.plan is None or member.role in roles.MAKERSPACE_STAFF_ROLES:
        return
    plan = member.plan
    minutes = (ends_at - starts_at).total_seconds() / 60
    if plan.max_reservation_minutes is not None and minutes > plan.max_reservation_minutes:
        raise ConflictError(
            f"Your plan allows reservations of at most {plan.max_reservation_minutes} minutes.", code="plan_limit"
        )
    if plan.max_reservations_per_week is not None:
        # The week (Monday 00:00) is counted in the makerspace's own time zone.
        tz = equipment.makerspace.tzinfo
        local = starts_at.astimezone(tz)
        week_start = datetime.combine(local.date() - timedelta(days=local.weekday()), datetime.min.time(), tzinfo=tz)
        week_end = week_start + timedelta(days=7)
        used = Reservation.objects.filter(
            member=member, starts_at__gte=week_start, starts_at__lt=week_end, status__in=COUNTED_STATUSES
        ).count()
        if used >= plan.max_reservations_per_week:
            raise ConflictError(
                f"Your plan allows {plan.max_reservations_per_week} reservations per week.", code="plan_limit"
            )


def _check_opening_hours(*, equipment: Equipment, starts_at: datetime, ends_at: datetime) -> None:
    """The range must fit inside one opening interval of one local day, and that day must not be a closure."""
    makerspace = equipment.makerspace
    tz = makerspace.tzinfo
    local_start, local_end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    refusal = ConflictError(
        f"{makerspace.name} is not open for the whole of that time ({makerspace.timezone}).",
        code="outside_opening_hours",
    )
    if local_start.date() != local_end.date():
        raise refusal
    day = local_start.date()
    fits = OpeningHours.objects.filter(
        makerspace_id=makerspace.pk,
        weekday=day.weekday(),
        opens__lte=local_start.time(),
        closes__gte=local_end.time(),
    ).exists()
    if not fits:
        raise refusal
    if Closure.objects.filter(makerspace_id=makerspace.pk, starts_on__lte=day, ends_on__gte=day).exists():
        raise ConflictError(f"{makerspace.name} is closed on {day.isoformat()}.", code="outside_opening_hours")


def _check_maintenance(*, equipment: Equipment, starts_at: datetime, ends_at: datetime) -> None:
    if MaintenanceWindow.objects.filter(
        equipment_id=equipment.pk, cancelled_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).exists():
        raise ConflictError("The machine is scheduled for maintenance during that time.", code="maintenance_window")


def overlapping_reservations(*, equipment_id: int, starts_at: datetime, ends_at: datetime, exclude_pk=None):
    """Active reservations of the machine that overlap [starts_at, ends_at) (touching ranges do not overlap)."""
    queryset = Reservation.objects.filter(
        equipment_id=equipment_id,
        status__in=Reservation.ACTIVE_STATUSES,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    return queryset.exclude(pk=exclude_pk) if exclude_pk else queryset


def _slot_taken() -> ConflictError:
    return ConflictError("The machine is already reserved for part of that time.", code="slot_taken")


def _resolve_member(*, user, equipment: Equipment, member: Member | None) -> tuple[Member | None, object, bool]:
    """(member, user the slot is for, whether the access rules apply)."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in to book a machine.", code=scoping.NOT_MEMBER)
    if member is not None:
        scoping.makerspace_staff_require(user=user, makerspace_id=equipment.makerspace_id)
        if member.makerspace_id != equipment.makerspace_id:
            raise ValidationError(
                "That member belongs to another makerspace.", errors={"member": ["Member of another makerspace."]}
            )
        return member, member.user, True
    own = member_selectors.member_for(user=user, makerspace=equipment.makerspace_id)
    if roles.is_platform_admin(user) and (own is None or own.status != Member.Status.ACTIVE):
        # Platform admins book any machine without a membership: recorded with member=None.
        return None, user, False
    return own, user, not roles.is_platform_admin(user)


def lock_for_booking(*, member_ids, equipment_id: int) -> tuple[dict[int, Member], Equipment]:
    """The one lock order of every booking path: the members' rows (by id), then the machine's row.

    Locking the member serialises everything one member books, whichever machines (plan limits, included
    hours); the machine's lock serialises everyone booking it. A supervisor's membership is locked with the
    booking member's (ids ascending), so two bookings naming one supervisor queue too.
    """
    ids = sorted({pk for pk in member_ids if pk})
    members = {
        m.pk: m
        for m in Member.objects.select_for_update(of=("self",)).select_related("plan").filter(pk__in=ids).order_by("pk")
    }
    machine = (
        Equipment.objects.select_for_update(of=("self",))
        .select_related("makerspace", "minimum_plan")
        .get(pk=equipment_id)
    )
    return members, machine


def _included_minutes(*, member: Member | None, subscription, starts_at, ends_at) -> int:
    """Minutes of this booking the plan's included hours cover; 409 ``plan_limit`` past a hard cap.

    Runs under the member's lock, so concurrent bookings of one member see each other's minutes.
    """
    if subscription is None or member is None or member.role in roles.MAKERSPACE_STAFF_ROLES:
        return 0
    plan = subscription.plan
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    allowance = int(plan.included_hours * 60)
    left = max(0, allowance - included_minutes_used(subscription=subscription))
    if minutes > left and not plan.allow_overage:
        raise ConflictError(
            f"Your plan includes {plan.included_hours} hours this period and {left} minutes are left.",
            code="plan_limit",
        )
    return min(minutes, left)


def needs_approval(*, equipment: Equipment, price: Decimal, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether a member's booking of the machine waits for staff (the machine's ``approval`` setting)."""
    mode = equipment.approval
    if mode == Equipment.Approval.ALWAYS:
        return True
    if mode == Equipment.Approval.ABOVE_PRICE:
        return equipment.approval_price_threshold is not None and price > equipment.approval_price_threshold
    if mode == Equipment.Approval.OUTSIDE_STAFFED_HOURS:
        return outside_staffed_hours(equipment, starts_at, ends_at)
    return False


def _supervisor_member(*, supervisor, equipment: Equipment) -> Member | None:
    if supervisor is None:
        return None
    found = Member.objects.filter(
        user=supervisor,
        makerspace_id=equipment.makerspace_id,
        status=Member.Status.ACTIVE,
        role__in=roles.MAKERSPACE_STAFF_ROLES,
    ).first()
    if found is None:
        raise ValidationError(
            "The supervisor must be active staff of this makerspace.", errors={"supervisor": ["Not staff here."]}
        )
    return found


def _check_supervisor(*, equipment: Equipment, supervisor, starts_at, ends_at, staff: bool) -> None:
    if supervisor is None:
        if equipment.requires_supervisor and not staff:
            raise ValidationError(
                f"{equipment.name} is booked with a supervisor.", errors={"supervisor": ["Required for this machine."]}
            )
        return
    busy = Reservation.objects.filter(
        supervisor=supervisor, status__in=Reservation.ACTIVE_STATUSES, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).exists()
    if busy:
        raise ConflictError("The supervisor is already supervising at that time.", code="supervisor_busy")


def _displace(*, equipment: Equipment, starts_at, ends_at, actor, reason: str) -> None:
    """An emergency booking cancels the member bookings in its way (checked-in ones stay: 409 slot_taken)."""
    in_the_way = list(
        overlapping_reservations(equipment_id=equipment.pk, starts_at=starts_at, ends_at=ends_at)
        .select_for_update()
        .select_related("user")
    )
    if any(r.status == Reservation.Status.CHECKED_IN for r in in_the_way):
        raise ConflictError(
            "Someone is using the machine now; an emergency booking cannot displace them.", code="slot_taken"
        )
    now = timezone.now()
    for reservation in in_the_way:
        previous = reservation.status
        reservation.status = Reservation.Status.CANCELLED
        reservation.cancelled_by = actor
        reservation.cancelled_at = now
        reservation.cancel_reason = f"Displaced by an emergency booking: {reason}"[:500]
        reservation.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason", "updated_at"])
        event_record(reservation=reservation, kind="displaced", from_status=previous, actor=actor, reason=reason)
        notify(
            reservation.user, "reservation.displaced", notice_context(reservation), makerspace=equipment.makerspace_id
        )


@dataclass
class BookingContext:
    """Who books what, resolved and locked once (a series books every occurrence under the same locks)."""

    actor: object
    machine: Equipment
    member: Member | None
    user: object
    checked: bool
    staff: bool
    notes: str = ""
    promo_code: str = ""
    supervisor: object = None
    emergency: bool = False
    series: object = None
    waitlist_entry_id: int | None = None
    rules: BookingRules | None = None


def booking_context(
    *,
    actor,
    equipment: Equipment,
    member: Member | None = None,
    notes: str = "",
    promo_code: str = "",
    supervisor=None,
    emergency: bool = False,
    waitlist_entry_id: int | None = None,
) -> BookingContext:
    """Resolve who the slot is for and take the booking locks (call inside a transaction)."""
    slot_member, slot_user, checked = _resolve_member(user=actor, equipment=equipment, member=member)
    supervisor_member = _supervisor_member(supervisor=supervisor, equipment=equipment)
    members, machine = lock_for_booking(
        member_ids=[getattr(slot_member, "pk", None), getattr(supervisor_member, "pk", None)],
        equipment_id=equipment.pk,
    )
    staff = scoping.can_staff_makerspace(actor, machine.makerspace_id)
    if emergency and not staff:
        raise PermissionDenied("Only staff make emergency bookings.", code=scoping.NOT_STAFF)
    if emergency and not notes.strip():
        raise ValidationError("An emergency booking gives its reason in notes.", errors={"notes": ["Required."]})
    return BookingContext(
        actor=actor,
        machine=machine,
        member=members.get(getattr(slot_member, "pk", None), slot_member),
        user=slot_user,
        checked=checked,
        staff=staff,
        notes=notes,
        promo_code=promo_code,
        supervisor=supervisor,
        emergency=emergency,
        waitlist_entry_id=waitlist_entry_id,
        rules=booking_rules(makerspace_id=machine.makerspace_id),
    )


def _is_exclusion_violation(exc: IntegrityError) -> bool:
    return getattr(getattr(exc, "__cause__", None), "sqlstate", None) == EXCLUSION_VIOLATION or (
        "reservation_no_overlap" in str(exc)
    )


def book_locked(
    ctx: BookingContext, *, starts_at: datetime, ends_at: datetime, send_notice: bool = True
) -> Reservation:
    """Check every booking rule for one range and create the reservation, under the locks ``ctx`` holds."""
    locked, user = ctx.machine, ctx.actor
    if (
        not locked.active
        or not locked.makerspace.active
        or locked.status in (Equipment.Status.OFFLINE, Equipment.Status.MAINTENANCE)
    ):
        raise ConflictError(
            f"{locked.name} cannot be booked now ({locked.get_status_display().lower()}).",
            code="equipment_unavailable",
        )
    access = AccessDecision()
    _check_lead_time(rules=ctx.rules, starts_at=starts_at, staff=ctx.staff)
    if ctx.checked:
        access = member_can_use_equipment(member=ctx.member, equipment=locked, at=starts_at, until=ends_at)
        _check_plan_quota(member=ctx.member, equipment=locked, starts_at=starts_at, ends_at=ends_at)
    _check_opening_hours(equipment=locked, starts_at=starts_at, ends_at=ends_at)
    _check_maintenance(equipment=locked, starts_at=starts_at, ends_at=ends_at)
    if ctx.emergency:
        _displace(equipment=locked, starts_at=starts_at, ends_at=ends_at, actor=user, reason=ctx.notes.strip())
    elif overlapping_reservations(equipment_id=locked.pk, starts_at=starts_at, ends_at=ends_at).exists():
        raise _slot_taken()
    elif offer_holds_slot(
        equipment_id=locked.pk, starts_at=starts_at, ends_at=ends_at, except_entry_id=ctx.waitlist_entry_id
    ):
        raise ConflictError("That time is held for the next member on the waiting list.", code="slot_taken")
    _check_supervisor(
        equipment=locked, supervisor=ctx.supervisor, starts_at=starts_at, ends_at=ends_at, staff=ctx.staff
    )
    subscription = active_subscription(member=ctx.member, at=starts_at) if ctx.checked else None
    included = _included_minutes(member=ctx.member, subscription=subscription, starts_at=starts_at, ends_at=ends_at)
    promo = pricing.promo_code_find(makerspace_id=locked.makerspace_id, code=ctx.promo_code) if ctx.promo_code else None
    quote = pricing.price_quote(
        equipment=locked,
        starts_at=starts_at,
        ends_at=ends_at,
        rules=pricing.rules_for(locked),
        plan_id=getattr(ctx.member, "plan_id", None),
        included_minutes=included,
        promo=promo,
    )
    pending = not ctx.staff and needs_approval(
        equipment=locked, price=quote.total, starts_at=starts_at, ends_at=ends_at
    )
    try:
        with transaction.atomic():  # a savepoint: an exclusion violation leaves the outer transaction usable
            reservation = Reservation.objects.create(
                equipment=locked,
                user=ctx.user,
                member=ctx.member,
                starts_at=starts_at,
                ends_at=ends_at,
                status=Reservation.Status.PENDING if pending else Reservation.Status.CONFIRMED,
                created_by=user,
                notes=ctx.notes,
                price=quote.total,
                deposit=quote.deposit,
                currency=quote.currency,
                price_lines=quote.lines_json(),
                included_minutes=quote.included_minutes,
                subscription=subscription,
                promo_code=promo,
                supervisor=ctx.supervisor,
                emergency=ctx.emergency,
                series=ctx.series,
                **access.flag_fields(),
            )
    except IntegrityError as exc:
        if _is_exclusion_violation(exc):
            raise _slot_taken() from exc
        raise
    if promo is not None:
        pricing.promo_code_redeem(promo=promo)
        discount = -sum((line.amount for line in quote.lines if line.description.startswith("Promo")), Decimal(0))
        PromoRedemption.objects.create(promo_code=promo, user=ctx.user, reservation=reservation, discount=discount)
    event_record(reservation=reservation, kind="created", from_status="", actor=user, reason=ctx.notes[:500])
    if send_notice:
        notify(
            ctx.user,
            "reservation.pending" if pending else "reservation.confirmed",
            notice_context(reservation),
            makerspace=locked.makerspace_id,
        )
    transaction.on_commit(lambda: metrics.RESERVATIONS.labels(event="created").inc())
    return reservation


def reservation_create(
    *,
    actor,
    equipment: Equipment,
    starts_at: datetime,
    ends_at: datetime,
    member: Member | None = None,
    notes: str = "",
    promo_code: str = "",
    supervisor=None,
    emergency: bool = False,
) -> Reservation:
    """Book ``equipment`` for ``[starts_at, ends_at)`` for the actor (or, for staff, for ``member``).

    The booking stores its price and deposit; it is created ``pending`` (holding the slot) when the
    machine needs approval for it, else ``confirmed``. ``emergency`` (staff, with ``notes`` as the reason)
    cancels the member bookings in the way and notifies their members.
    """
    check_range(starts_at, ends_at, now=timezone.now(), rules=booking_rules(makerspace_id=equipment.makerspace_id))
    with transaction.atomic():
        ctx = booking_context(
            actor=actor,
            equipment=equipment,
            member=member,
            notes=notes,
            promo_code=promo_code,
            supervisor=supervisor,
            emergency=emergency,
        )
        return book_locked(ctx, starts_at=starts_at, ends_at=ends_at)


def event_record(*, reservation: Reservation, kind: str, from_status: str, actor, reason: str = "") -> None:
    """Append one history row (``actor`` None or SYSTEM: the platform itself)."""
    ReservationEvent.objects.create(
        reservation=reservation,
        kind=kind,
        from_status=from_status,
        to_status=reservation.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=(reason or "")[:500],
    )


def notice_context(reservation: Reservation) -> dict:
    """Plain JSON values the reservation notifications render."""
    equipment = reservation.equipment
    tz = equipment.makerspace.tzinfo
    return {
        "reservation_id": reservation.pk,
        "equipment": equipment.name,
        "makerspace": equipment.makerspace.name,
        "starts_at": reservation.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        "ends_at": reservation.ends_at.astimezone(tz).strftime("%H:%M"),
        "timezone": equipment.makerspace.timezone,
        "status": reservation.status,
        "price": str(reservation.price),
        "deposit": str(reservation.deposit),
        "currency": reservation.currency,
        "reason": reservation.cancel_reason or reservation.decision_reason,
    }


def lock_reservation_and_machine(reservation: Reservation) -> Reservation:
    """For a change that frees a slot: the machine's row first (the booking lock order), then the reservation."""
    equipment_id = Reservation.objects.filter(pk=reservation.pk).values_list("equipment_id", flat=True).first()
    Equipment.objects.select_for_update(of=("self",)).filter(pk=equipment_id).first()
    return _lock(reservation)


def slot_freed(reservation: Reservation) -> None:
    """Offer the freed time to the waiting list (inside the caller's transaction, machine locked)."""
    from makerspace.services.waitlist import waitlist_offer_next  # the waiting list books through this module

    waitlist_offer_next(
        equipment_id=reservation.equipment_id, starts_at=reservation.starts_at, ends_at=reservation.ends_at
    )


def _lock(reservation: Reservation) -> Reservation:
    return (
        Reservation.objects.select_for_update(of=("self",))
        .select_related("equipment__makerspace", "user")
        .get(pk=reservation.pk)
    )


@transaction.atomic
def reservation_cancel(*, reservation: Reservation, actor, reason: str = "") -> Reservation:
    """Members cancel their own until the cut-off; staff of the makerspace cancel any (with a reason)."""
    user = actor
    locked = lock_reservation_and_machine(reservation)
    staff = scoping.can_staff_makerspace(user, locked.equipment.makerspace_id)
    if not staff and (not getattr(user, "is_authenticated", False) or locked.user_id != user.pk):
        raise PermissionDenied("You may only cancel your own reservations.", code=scoping.NOT_STAFF)
    if locked.status not in (Reservation.Status.PENDING, Reservation.Status.CONFIRMED):
        raise InvalidTransition(f"A {locked.get_status_display().lower()} reservation cannot be cancelled.")
    if not staff:
        cutoff = cancel_cutoff(locked.equipment.makerspace_id)
        if timezone.now() > locked.starts_at - cutoff:
            minutes = _minutes(cutoff)
            raise ConflictError(
                f"Reservations can be cancelled up to {minutes} minutes before they start; ask staff.",
                code="cancellation_cutoff",
            )
    elif locked.user_id != user.pk and not reason.strip():
        raise ValidationError(
            "Staff give a reason when cancelling a member's reservation.", errors={"reason": ["Required."]}
        )
    previous = locked.status
    locked.status = Reservation.Status.CANCELLED
    locked.cancelled_by = user
    locked.cancelled_at = timezone.now()
    locked.cancel_reason = reason[:500]
    locked.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason", "updated_at"])
    event_record(reservation=locked, kind="cancelled", from_status=previous, actor=user, reason=reason)
    notify(locked.user, "reservation.cancelled", notice_context(locked), makerspace=locked.equipment.makerspace_id)
    slot_freed(locked)
    transaction.on_commit(lambda: metrics.RESERVATIONS.labels(event="cancelled").inc())
    return locked


def _require_staff(actor, reservation: Reservation) -> None:
    scoping.makerspace_staff_require(user=actor, makerspace_id=reservation.equipment.makerspace_id)


@transaction.atomic
def reservation_check_in(*, reservation: Reservation, actor) -> Reservation:
    """Staff mark the member as arrived (from 30 minutes before the start until the end)."""
    locked = _lock(reservation)
    _require_staff(actor, locked)
    if locked.status not in (Reservation.Status.PENDING, Reservation.Status.CONFIRMED):
        raise InvalidTransition(f"A {locked.get_status_display().lower()} reservation cannot be checked in.")
    now = timezone.now()
    if not (locked.starts_at - CHECK_IN_EARLY <= now < locked.ends_at):
        raise InvalidTransition("Check-in opens 30 minutes before the start and closes at the end.")
    previous = locked.status
    locked.status = Reservation.Status.CHECKED_IN
    locked.checked_in_at = now
    locked.save(update_fields=["status", "checked_in_at", "updated_at"])
    event_record(reservation=locked, kind="checked_in", from_status=previous, actor=actor)
    transaction.on_commit(lambda: metrics.RESERVATIONS.labels(event="checked_in").inc())
    return locked


@transaction.atomic
def reservation_no_show(*, reservation: Reservation, actor) -> Reservation:
    """Staff mark a reservation whose start has passed without check-in; the slot is freed."""
    locked = _lock(reservation)
    _require_staff(actor, locked)
    if locked.status not in (Reservation.Status.PENDING, Reservation.Status.CONFIRMED):
        raise InvalidTransition(f"A {locked.get_status_display().lower()} reservation cannot be marked no-show.")
    if timezone.now() < locked.starts_at:
        raise InvalidTransition("A reservation can be marked no-show only after it has started.")
    previous = locked.status
    locked.status = Reservation.Status.NO_SHOW
    locked.save(update_fields=["status", "updated_at"])
    event_record(reservation=locked, kind="no_show", from_status=previous, actor=actor)
    billing_services.bill_reservation(reservation=locked, actor=actor)
    transaction.on_commit(lambda: metrics.RESERVATIONS.labels(event="no_show").inc())
    return locked


@transaction.atomic
def reservation_complete(*, reservation: Reservation, actor) -> Reservation:
    """A checked-in reservation is done: staff, or ``SYSTEM`` when the usage service stops a linked session."""
    locked = _lock(reservation)
    if actor is not SYSTEM:
        _require_staff(actor, locked)
    if locked.status != Reservation.Status.CHECKED_IN:
        raise InvalidTransition("Only a checked-in reservation can be completed.")
    locked.status = Reservation.Status.COMPLETED
    locked.completed_at = timezone.now()
    locked.save(update_fields=["status", "completed_at", "updated_at"])
    event_record(reservation=locked, kind="completed", from_status=Reservation.Status.CHECKED_IN, actor=actor)
    billing_services.bill_reservation(reservation=locked, actor=actor)
    transaction.on_commit(lambda: metrics.RESERVATIONS.labels(event="completed").inc())
    return locked


def reservations_cancel_overlapping(*, equipment_id: int, starts_at, ends_at, actor, reason: str) -> list[int]:
    """Cancel (as staff, with a reason) the active reservations overlapping a range; used by maintenance windows."""
    ids = []
    for reservation in overlapping_reservations(equipment_id=equipment_id, starts_at=starts_at, ends_at=ends_at).filter(
        Q(status__in=(Reservation.Status.PENDING, Reservation.Status.CONFIRMED))
    ):
        reservation_cancel(reservation=reservation, actor=actor, reason=reason)
        ids.append(reservation.pk)
    return ids


def reminder_lead() -> timedelta:
    """How long before its start a confirmed reservation's reminder goes out (setting, minutes)."""
    return timedelta(minutes=getattr(settings, "MAKERSPACE_REMINDER_LEAD_MINUTES", 24 * 60))


def reservation_reminders_send(*, now: datetime | None = None) -> int:
    """Remind members of confirmed reservations starting within the lead time, once each (``reminder_sent_at``).

    Each reminder is claimed by a conditional UPDATE in its own transaction, so two runs never send one twice.
    """
    now = now or timezone.now()
    due = Reservation.objects.filter(
        status=Reservation.Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + reminder_lead(),
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            if not Reservation.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                continue
            reservation = Reservation.objects.select_related("equipment__makerspace", "user").get(pk=pk)
            notify(
                reservation.user,
                "reservation.reminder",
                notice_context(reservation),
                makerspace=reservation.equipment.makerspace_id,
            )
            sent += 1
    return sent
