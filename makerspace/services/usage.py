"""Usage sessions: actual machine use, started and stopped at the machine, charged at the captured hourly rate.

Charging: every *started* minute counts (a 61-second session is 2 minutes); the amount is
``hourly_rate × minutes / 60`` rounded half-up to 0.01 in the machine's currency.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from makerspace.models import Equipment, Member, Reservation, UsageSession
from makerspace.selectors import members as member_selectors
from makerspace.services import billing as billing_services
from makerspace.services.access import AccessDecision, member_can_use_equipment
from makerspace.services.equipment import equipment_status_apply
from makerspace.services.reservations import reservation_complete
from makrx.auth import roles, scoping
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, InvalidTransition, PermissionDenied, ValidationError

CENT = Decimal("0.01")


def usage_charge(*, hourly_rate: Decimal, minutes: int) -> Decimal:
    return (Decimal(hourly_rate) * minutes / 60).quantize(CENT, rounding=ROUND_HALF_UP)


def _in_use() -> ConflictError:
    return ConflictError("The machine already has an open usage session.", code="equipment_in_use")


def usage_session_start(*, actor, equipment: Equipment, member: Member | None = None, notes: str = "") -> UsageSession:
    """Start using a machine now (the member themselves, or staff for ``member``), after the access rules.

    Links the user's reservation that covers now (checking it in); refuses when another user holds the slot.
    """
    user = actor
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in to use a machine.", code=scoping.NOT_MEMBER)
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = Equipment.objects.select_for_update(of=("self",)).select_related("makerspace").get(pk=equipment.pk)
            if not locked.active or locked.status in (Equipment.Status.OFFLINE, Equipment.Status.MAINTENANCE):
                raise ConflictError(f"{locked.name} cannot be used now.", code="equipment_unavailable")
            if member is not None:
                scoping.makerspace_staff_require(user=user, makerspace_id=locked.makerspace_id)
                if member.makerspace_id != locked.makerspace_id:
                    raise ValidationError(
                        "That member belongs to another makerspace.", errors={"member": ["Elsewhere."]}
                    )
                session_user, session_member = member.user, member
            else:
                session_user = user
                session_member = member_selectors.member_for(user=user, makerspace=locked.makerspace_id)
                if roles.is_platform_admin(user) and (
                    session_member is None or session_member.status != Member.Status.ACTIVE
                ):
                    session_member = None
            access = AccessDecision()
            if session_member is not None or not roles.is_platform_admin(session_user):
                access = member_can_use_equipment(member=session_member, equipment=locked, at=now)
            if UsageSession.objects.filter(equipment_id=locked.pk, ended_at__isnull=True).exists():
                raise _in_use()
            current = Reservation.objects.filter(
                equipment_id=locked.pk,
                status__in=Reservation.ACTIVE_STATUSES,
                starts_at__lte=now,
                ends_at__gt=now,
            ).first()
            if current is not None and current.user_id != session_user.pk:
                raise ConflictError("Someone else has reserved the machine for now.", code="slot_taken")
            if current is not None and current.status != Reservation.Status.CHECKED_IN:
                current.status = Reservation.Status.CHECKED_IN
                current.checked_in_at = now
                current.save(update_fields=["status", "checked_in_at", "updated_at"])
            session = UsageSession.objects.create(
                equipment=locked,
                user=session_user,
                member=session_member,
                reservation=current,
                started_at=now,
                hourly_rate=locked.hourly_rate,
                currency=locked.currency,
                started_by=user,
                notes=notes,
                **access.flag_fields(),
            )
            if locked.status == Equipment.Status.AVAILABLE:
                equipment_status_apply(
                    equipment=locked,
                    to_status=Equipment.Status.IN_USE,
                    actor=user,
                    reason=f"usage session #{session.pk}",
                )
            return session
    except IntegrityError as exc:
        if "usage_one_open_session_per_equipment" in str(exc) or "unique" in str(exc).lower():
            raise _in_use() from exc
        raise


@transaction.atomic
def usage_session_stop(*, session: UsageSession, actor, notes: str = "") -> UsageSession:
    """Stop a session (its user or staff): duration in started minutes and the charge; frees the machine."""
    user = actor
    locked = UsageSession.objects.select_for_update().select_related("equipment").get(pk=session.pk)
    own = getattr(user, "is_authenticated", False) and locked.user_id == user.pk
    if not own and not scoping.can_staff_makerspace(user, locked.equipment.makerspace_id):
        raise PermissionDenied("Only the person using the machine or staff stop this session.", code=scoping.NOT_STAFF)
    if locked.ended_at is not None:
        raise InvalidTransition("This session has already been stopped.")
    now = max(timezone.now(), locked.started_at)
    minutes = max(1, math.ceil((now - locked.started_at).total_seconds() / 60))
    locked.ended_at = now
    locked.duration_minutes = minutes
    locked.amount = usage_charge(hourly_rate=locked.hourly_rate, minutes=minutes)
    locked.stopped_by = user
    if notes:
        locked.notes = f"{locked.notes}\n{notes}".strip()
    locked.save()
    billing_services.bill_usage_session(
        session=locked, charge_for=lambda minutes: usage_charge(hourly_rate=locked.hourly_rate, minutes=minutes)
    )
    equipment = Equipment.objects.select_for_update().get(pk=locked.equipment_id)
    if equipment.status == Equipment.Status.IN_USE:
        equipment_status_apply(
            equipment=equipment, to_status=Equipment.Status.AVAILABLE, actor=user, reason=f"usage session #{locked.pk}"
        )
    if (
        locked.reservation_id
        and Reservation.objects.filter(Q(pk=locked.reservation_id) & Q(status=Reservation.Status.CHECKED_IN)).exists()
    ):
        reservation_complete(reservation=locked.reservation, actor=SYSTEM)
    return locked
