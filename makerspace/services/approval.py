"""Approval of pending bookings: staff approve or reject them; undecided ones are released on time.

A pending booking holds its slot (the exclusion constraint counts ``pending``) until staff decide or
until ``MAKERSPACE_PENDING_RELEASE_MINUTES`` before its start, when the scheduled task releases it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from makerspace.models import Reservation
from makerspace.services.reservations import event_record, lock_reservation_and_machine, notice_context, slot_freed
from makrx.auth import scoping
from makrx.auth.scoping import SYSTEM
from makrx.errors import InvalidTransition, ValidationError
from makrx.notifications import notify


def release_lead() -> timedelta:
    """How long before its start an undecided pending booking is released (setting, minutes)."""
    return timedelta(minutes=getattr(settings, "MAKERSPACE_PENDING_RELEASE_MINUTES", 0))


def _lock_pending(reservation: Reservation, actor) -> Reservation:
    locked = lock_reservation_and_machine(reservation)
    if actor is not SYSTEM:
        scoping.makerspace_staff_require(user=actor, makerspace_id=locked.equipment.makerspace_id)
    if locked.status != Reservation.Status.PENDING:
        raise InvalidTransition(f"A {locked.get_status_display().lower()} reservation is not awaiting approval.")
    return locked


def _decide(locked: Reservation, *, status: str, actor, reason: str) -> None:
    locked.status = status
    locked.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.decided_at = timezone.now()
    locked.decision_reason = reason[:500]
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])


@transaction.atomic
def reservation_approve(*, reservation: Reservation, actor, reason: str = "") -> Reservation:
    """Staff of the machine's makerspace confirm a pending booking (until it starts)."""
    locked = _lock_pending(reservation, actor)
    if timezone.now() >= locked.starts_at:
        raise InvalidTransition("The booking has already started; it can no longer be approved.")
    _decide(locked, status=Reservation.Status.CONFIRMED, actor=actor, reason=reason)
    event_record(
        reservation=locked, kind="approved", from_status=Reservation.Status.PENDING, actor=actor, reason=reason
    )
    notify(locked.user, "reservation.approved", notice_context(locked), makerspace=locked.equipment.makerspace_id)
    return locked


@transaction.atomic
def reservation_reject(*, reservation: Reservation, actor, reason: str) -> Reservation:
    """Staff refuse a pending booking with a reason; the slot is freed."""
    if not reason.strip():
        raise ValidationError("A rejection gives a reason.", errors={"reason": ["Required."]})
    locked = _lock_pending(reservation, actor)
    _decide(locked, status=Reservation.Status.REJECTED, actor=actor, reason=reason.strip())
    event_record(
        reservation=locked, kind="rejected", from_status=Reservation.Status.PENDING, actor=actor, reason=reason
    )
    notify(locked.user, "reservation.rejected", notice_context(locked), makerspace=locked.equipment.makerspace_id)
    slot_freed(locked)
    return locked


@transaction.atomic
def reservation_release(*, reservation_id: int, now: datetime | None = None) -> bool:
    """Release one undecided pending booking that is due (``SYSTEM``); False when decided already (idempotent)."""
    now = now or timezone.now()
    found = Reservation.objects.filter(pk=reservation_id).first()
    if found is None:
        return False
    locked = lock_reservation_and_machine(found)
    if locked.status != Reservation.Status.PENDING or locked.starts_at > now + release_lead():
        return False
    reason = "Not approved in time"
    locked.status = Reservation.Status.CANCELLED
    locked.cancelled_at = now
    locked.cancel_reason = reason
    locked.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    event_record(
        reservation=locked, kind="released", from_status=Reservation.Status.PENDING, actor=SYSTEM, reason=reason
    )
    notify(locked.user, "reservation.cancelled", notice_context(locked), makerspace=locked.equipment.makerspace_id)
    slot_freed(locked)
    return True


def reservations_release_due(*, now: datetime | None = None) -> int:
    """Release every pending booking not decided ``release_lead()`` before its start; returns how many."""
    now = now or timezone.now()
    ids = list(
        Reservation.objects.filter(status=Reservation.Status.PENDING, starts_at__lte=now + release_lead()).values_list(
            "pk", flat=True
        )
    )
    return sum(reservation_release(reservation_id=pk, now=now) for pk in ids)
