"""The transactions ledger: billable records written by the service that causes them, in its transaction.

A record names its source (content type + id); one source yields at most one record of a kind, so a service
that runs twice (a retried task, a second stop) bills once. Records become invoice lines through the invoice
services; a record is on at most one invoice (the line's one-to-one link).
"""

from __future__ import annotations

import datetime as dt
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
