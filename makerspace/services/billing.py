"""The transactions ledger: billable records written by the service that causes them, in its transaction.

A record names its source (content type + id); one source yields at most one record of a kind, so a service
that runs twice (a retried task, a second stop) bills once. Records become invoice lines through the invoice
services; a record is on at most one invoice (the line's one-to-one link).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from makerspace.models import BillableRecord, Member
from makrx.auth import scoping
from makrx.errors import ValidationError
from makrx.money import quantize_money

Kind = BillableRecord.Kind
# Kinds staff may post by hand (the others come from the services that cause them).
MANUAL_KINDS = (Kind.FEE, Kind.ADJUSTMENT, Kind.REFUND, Kind.SERVICE_JOB, Kind.MATERIAL)


def _actor_user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def billable_record_add(
    *,
    member: Member,
    kind: str,
    description: str,
    unit_price: Decimal,
    quantity: Decimal = Decimal("1"),
    currency: str | None = None,
    occurred_at: dt.datetime | None = None,
    source=None,
    actor=None,
) -> BillableRecord:
    """Write one record (called by the causing service inside its transaction; no permission check here).

    ``amount = quantity × unit_price`` rounded once. With ``source`` the call is idempotent: the existing record
    of that kind and source is returned.
    """
    if kind not in Kind.values:
        raise ValidationError("Unknown kind.", errors={"kind": ["Unknown kind."]})
    quantity = Decimal(quantity)
    unit_price = quantize_money(Decimal(unit_price))
    source_fields = {}
    if source is not None:
        source_fields = {"source_type": ContentType.objects.get_for_model(source), "source_id": source.pk}
        existing = BillableRecord.objects.filter(kind=kind, **source_fields).first()
        if existing is not None:
            return existing
    fields = {
        "makerspace_id": member.makerspace_id,
        "member": member,
        "kind": kind,
        "description": description[:300],
        "quantity": quantity,
        "unit_price": unit_price,
        "amount": quantize_money(quantity * unit_price),
        "occurred_at": occurred_at or timezone.now(),
        "created_by": _actor_user(actor),
        **source_fields,
    }
    if currency:
        fields["currency"] = currency
    try:
        with transaction.atomic():
            return BillableRecord.objects.create(**fields)
    except IntegrityError:
        if source is None:
            raise
        # Another transaction billed the same source first: that record stands.
        return BillableRecord.objects.get(kind=kind, **source_fields)


@transaction.atomic
def billable_record_post(
    *,
    actor,
    member: Member,
    kind: str,
    description: str,
    unit_price: Decimal,
    quantity: Decimal = Decimal("1"),
    occurred_at: dt.datetime | None = None,
) -> BillableRecord:
    """Staff post a fee, an adjustment, a refund, a service job or materials by hand (admin and API)."""
    scoping.makerspace_staff_require(user=actor, makerspace_id=member.makerspace_id)
    if kind not in MANUAL_KINDS:
        raise ValidationError(
            "That kind is written by its own service.", errors={"kind": [f"Choose one of {', '.join(MANUAL_KINDS)}."]}
        )
    if not description.strip():
        raise ValidationError("Describe the charge.", errors={"description": ["Required."]})
    return billable_record_add(
        member=member,
        kind=kind,
        description=description,
        unit_price=unit_price,
        quantity=quantity,
        occurred_at=occurred_at,
        actor=actor,
    )


# --- the causing services' calls (inside their transactions) ---------------------------------------------------


def bill_subscription(*, subscription, actor) -> BillableRecord | None:
    """A paid subscription period (after any free trial); free plans bill nothing."""
    plan = subscription.plan
    if plan.price <= 0:
        return None
    starts = subscription.trial_ends_at or subscription.starts_at
    return billable_record_add(
        member=subscription.member,
        kind=Kind.SUBSCRIPTION,
        description=f"{plan.name} membership {starts:%Y-%m-%d} – {subscription.ends_at:%Y-%m-%d}",
        unit_price=plan.price,
        currency=plan.currency,
        occurred_at=starts,
        source=subscription,
        actor=actor,
    )


def bill_reservation(*, reservation, actor) -> BillableRecord | None:
    """A reservation that took its slot (completed or no-show) at the price it was booked at."""
    if reservation.member_id is None or reservation.price <= 0:
        return None
    equipment = reservation.equipment
    local = reservation.starts_at.astimezone(equipment.makerspace.tzinfo)
    return billable_record_add(
        member=reservation.member,
        kind=Kind.RESERVATION,
        description=f"{equipment.name} booking {local:%Y-%m-%d %H:%M} ({reservation.get_status_display().lower()})",
        unit_price=reservation.price,
        currency=reservation.currency,
        occurred_at=reservation.starts_at,
        source=reservation,
        actor=actor,
    )


def bill_usage_session(*, session, charge_for) -> BillableRecord | None:
    """A stopped session: without a reservation its whole charge (``usage``); with one, only the minutes past the
    reservation's end (``overage``), since the booking's price covers the booked time. ``charge_for(minutes)``
    is the usage service's per-minute charge."""
    if session.member_id is None or not session.amount:
        return None
    minutes, kind = session.duration_minutes, Kind.USAGE
    if session.reservation_id is not None:
        past_end = (session.ended_at - max(session.reservation.ends_at, session.started_at)).total_seconds()
        minutes, kind = max(0, math.ceil(past_end / 60)), Kind.OVERAGE
    amount = charge_for(minutes) if kind == Kind.OVERAGE else session.amount
    if amount <= 0:
        return None
    return billable_record_add(
        member=session.member,
        kind=kind,
        description=f"{session.equipment.name}: {minutes} min at {session.hourly_rate}/h",
        unit_price=amount,
        currency=session.currency,
        occurred_at=session.ended_at,
        source=session,
        actor=session.stopped_by,
    )


def bill_materials(*, movement, member: Member, actor) -> BillableRecord | None:
    """Materials drawn for a member (an inventory usage movement) at the item's unit cost."""
    item = movement.item
    quantity = -movement.quantity
    if quantity <= 0 or item.unit_cost <= 0:
        return None
    return billable_record_add(
        member=member,
        kind=Kind.MATERIAL,
        description=f"{item.name} × {quantity.normalize():f} {getattr(item, 'unit', '')}".strip(),
        unit_price=item.unit_cost,
        quantity=quantity,
        occurred_at=movement.created_at,
        source=movement,
        actor=actor,
    )
