"""Waiting lists: join the line for a taken slot, be offered it when it frees up, claim it before the hold ends.

The line is first come, first served by (created_at, id). Every change that frees a slot (cancellation,
rejection, release) calls ``waitlist_offer_next`` in its own transaction while holding the machine's lock,
so concurrent cancellations offer a slot once, to the first entry in line that can use it. An offer holds
the slot for ``WAITLIST_HOLD_MINUTES``; an expired offer (``offer_expired`` when claimed late, or the
scheduled sweep) passes to the next in line.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from makerspace.models import Equipment, MaintenanceWindow, Member, Reservation, WaitlistEntry
from makerspace.selectors.space_settings import booking_rules
from makerspace.selectors.waitlist import offer_holds_slot
from makerspace.services import reservations as reservation_services
from makrx.auth import roles, scoping
from makrx.errors import ConflictError, InvalidTransition, PermissionDenied
from makrx.notifications import notify


def hold() -> timedelta:
    return timedelta(minutes=getattr(settings, "WAITLIST_HOLD_MINUTES", 30))


def _slot_is_free(*, equipment_id: int, starts_at, ends_at, now) -> bool:
    taken = reservation_services.overlapping_reservations(
        equipment_id=equipment_id, starts_at=starts_at, ends_at=ends_at
    ).exists()
    maintenance = MaintenanceWindow.objects.filter(
        equipment_id=equipment_id, cancelled_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).exists()
    return (
        not taken
        and not maintenance
        and not offer_holds_slot(equipment_id=equipment_id, starts_at=starts_at, ends_at=ends_at, now=now)
    )


@transaction.atomic
def waitlist_join(*, actor, equipment: Equipment, starts_at: datetime, ends_at: datetime) -> WaitlistEntry:
    """Queue the actor for a taken slot (409 ``slot_free`` when it can be booked now, ``duplicate`` when queued)."""
    reservation_services.check_range(
        starts_at, ends_at, now=timezone.now(), rules=booking_rules(makerspace_id=equipment.makerspace_id)
    )
    scoping.makerspace_member_require(user=actor, makerspace_id=equipment.makerspace_id)
    member = Member.objects.filter(user=actor, makerspace_id=equipment.makerspace_id).first()
    if member is not None and member.status != Member.Status.ACTIVE and not roles.is_platform_admin(actor):
        raise ConflictError("An active membership of this makerspace is required.", code="membership_inactive")
    if _slot_is_free(equipment_id=equipment.pk, starts_at=starts_at, ends_at=ends_at, now=timezone.now()):
        raise ConflictError("That time is free: book it instead of queueing.", code="slot_free")
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(
                equipment=equipment, user=actor, member=member, starts_at=starts_at, ends_at=ends_at
            )
    except IntegrityError as exc:
        raise ConflictError("You are already in line for that time.", code="duplicate") from exc


def _offer(entry: WaitlistEntry, *, now: datetime) -> None:
    entry.status = WaitlistEntry.Status.OFFERED
    entry.offered_at = now
    entry.offer_expires_at = now + hold()
    entry.save(update_fields=["status", "offered_at", "offer_expires_at", "updated_at"])
    tz = entry.equipment.makerspace.tzinfo
    notify(
        entry.user,
        "reservation.waitlist_offer",
        {
            "waitlist_entry_id": entry.pk,
            "equipment": entry.equipment.name,
            "makerspace": entry.equipment.makerspace.name,
            "starts_at": entry.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            "ends_at": entry.ends_at.astimezone(tz).strftime("%H:%M"),
            "timezone": entry.equipment.makerspace.timezone,
            "hold_until": entry.offer_expires_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        },
        makerspace=entry.equipment.makerspace_id,
    )


def waitlist_offer_next(*, equipment_id: int, starts_at: datetime, ends_at: datetime, now=None) -> list[int]:
    """Offer a freed range to the waiting entries that can now use it, in line order; returns the offered ids.

    Runs inside the caller's transaction, which must hold the machine's lock (``lock_machine``), so two
    cancellations on one machine never offer the same time twice.
    """
    now = now or timezone.now()
    offered = []
    candidates = (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .select_related("equipment__makerspace", "user")
        .filter(
            equipment_id=equipment_id,
            status=WaitlistEntry.Status.WAITING,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
            starts_at__gt=now,
        )
        .order_by("created_at", "id")
    )
    for entry in candidates:
        if _slot_is_free(equipment_id=equipment_id, starts_at=entry.starts_at, ends_at=entry.ends_at, now=now):
            _offer(entry, now=now)
            offered.append(entry.pk)
    return offered


def lock_machine(equipment_id: int) -> Equipment:
    return Equipment.objects.select_for_update(of=("self",)).get(pk=equipment_id)


@transaction.atomic
def waitlist_offers_expire(*, equipment_id: int, now=None) -> int:
    """Expire the machine's lapsed offers and pass each range on to the next in line; returns how many expired."""
    now = now or timezone.now()
    lock_machine(equipment_id)
    lapsed = list(
        WaitlistEntry.objects.select_for_update(of=("self",)).filter(
            equipment_id=equipment_id, status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=now
        )
    )
    for entry in lapsed:
        entry.status = WaitlistEntry.Status.EXPIRED
        entry.save(update_fields=["status", "updated_at"])
    for entry in lapsed:
        waitlist_offer_next(equipment_id=equipment_id, starts_at=entry.starts_at, ends_at=entry.ends_at, now=now)
    return len(lapsed)


def waitlist_offers_expire_due(*, now=None) -> int:
    """The scheduled sweep: expire every lapsed offer, machine by machine (each in its own transaction).

    Entries still waiting when their slot starts leave the line as ``expired`` too (nothing to offer any more).
    """
    now = now or timezone.now()
    WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING, starts_at__lte=now).update(
        status=WaitlistEntry.Status.EXPIRED, updated_at=now
    )
    machines = (
        WaitlistEntry.objects.filter(status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=now)
        .values_list("equipment_id", flat=True)
        .distinct()
    )
    return sum(waitlist_offers_expire(equipment_id=pk, now=now) for pk in list(machines))


def waitlist_claim(*, entry: WaitlistEntry, actor, now=None) -> Reservation:
    """Book the offered slot for the entry's member (409 ``offer_expired`` after the hold, ``not_offered`` before)."""
    now = now or timezone.now()
    if entry.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the member in line claims their offer.", code=scoping.NOT_MEMBER)
    if entry.status == WaitlistEntry.Status.OFFERED and entry.offer_expires_at <= now:
        waitlist_offers_expire(equipment_id=entry.equipment_id, now=now)  # commits: the next in line is offered
        raise ConflictError("The offer has expired and passed to the next in line.", code="offer_expired")
    with transaction.atomic():
        ctx = reservation_services.booking_context(actor=actor, equipment=entry.equipment, waitlist_entry_id=entry.pk)
        locked = WaitlistEntry.objects.select_for_update(of=("self",)).get(pk=entry.pk)
        if locked.status == WaitlistEntry.Status.EXPIRED:
            raise ConflictError("The offer has expired and passed to the next in line.", code="offer_expired")
        if locked.status == WaitlistEntry.Status.WAITING:
            raise ConflictError("The slot has not been offered to you yet.", code="not_offered")
        if locked.status != WaitlistEntry.Status.OFFERED:
            raise InvalidTransition(f"A {locked.get_status_display().lower()} entry cannot be claimed.")
        if locked.offer_expires_at <= now:  # lapsed while this request waited for the lock
            raise ConflictError("The offer has expired.", code="offer_expired")
        reservation = reservation_services.book_locked(ctx, starts_at=locked.starts_at, ends_at=locked.ends_at)
        locked.status = WaitlistEntry.Status.CLAIMED
        locked.reservation = reservation
        locked.save(update_fields=["status", "reservation", "updated_at"])
        return reservation


@transaction.atomic
def waitlist_leave(*, entry: WaitlistEntry, actor) -> WaitlistEntry:
    """The member (or staff of the makerspace) takes an entry out of the line; an offer passes on."""
    lock_machine(entry.equipment_id)
    locked = WaitlistEntry.objects.select_for_update(of=("self",)).select_related("equipment").get(pk=entry.pk)
    if locked.user_id != getattr(actor, "pk", None):
        scoping.makerspace_staff_require(user=actor, makerspace_id=locked.equipment.makerspace_id)
    if locked.status not in WaitlistEntry.OPEN_STATUSES:
        raise InvalidTransition(f"A {locked.get_status_display().lower()} entry has already left the line.")
    was_offered = locked.status == WaitlistEntry.Status.OFFERED
    locked.status = WaitlistEntry.Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    if was_offered:
        waitlist_offer_next(equipment_id=locked.equipment_id, starts_at=locked.starts_at, ends_at=locked.ends_at)
    return locked
