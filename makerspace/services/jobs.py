"""Service job writes: receiving a store job (idempotent, routed) and every status change of its life.

Each change locks the job row, checks the move against ``ServiceJob.TRANSITIONS`` (409 ``invalid_transition``
otherwise) and the actor, writes the job and a ``ServiceJobEvent``, and announces
``makerspace.job.status_changed`` through ``makrx.events`` in the same transaction, so the bridge's outbox row
commits or rolls back with the change. The initial ``received`` is announced too, with ``from_status=""``.

Who may act: the platform (``SYSTEM``, e.g. the bridge) and staff of the job's makerspace do everything; the
job's provider (verified, working in that makerspace) accepts, starts, completes and ships it; a verified provider
of the space may accept a job nobody is assigned to, which assigns it to them. Reject and cancel are staff work.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from makerspace.models import Equipment, InventoryItem, Member, ServiceJob, ServiceJobEvent, ServiceProvider
from makerspace.services import inventory as inventory_services
from makerspace.services.job_routing import (
    job_route,
    material_items,
    material_slug,
    preferred_makerspace_id,
    required_capabilities,
)
from makrx import events
from makrx.auth import roles, scoping
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, InvalidTransition, PermissionDenied, ValidationError
from makrx.notifications import notify

Status = ServiceJob.Status
STATUS_CHANGED = "makerspace.job.status_changed"
NO_MAKERSPACE = "no_capable_makerspace"
CURRENCY = re.compile(r"^[A-Z]{3}$")
# The actions a job's own provider may take (everything else is staff work).
PROVIDER_ACTIONS = {Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED, Status.SHIPPED}
GRAMS_PER_UNIT = {InventoryItem.Unit.GRAM: Decimal("1"), InventoryItem.Unit.KILOGRAM: Decimal("1000")}


def _user(actor):
    return None if actor is SYSTEM else actor


def actor_provider(actor, makerspace_id: int) -> ServiceProvider | None:
    """The actor's provider profile when it is verified and works in this makerspace, else None."""
    if actor is SYSTEM or not getattr(actor, "is_authenticated", False):
        return None
    return ServiceProvider.objects.filter(user=actor, verified_at__isnull=False, makerspaces__pk=makerspace_id).first()


def _staff(actor, makerspace_id: int) -> bool:
    return actor is SYSTEM or scoping.can_staff_makerspace(actor, makerspace_id)


def _act_require(*, actor, job: ServiceJob, to_status: str) -> ServiceProvider | None:
    """Raise unless ``actor`` may move ``job`` to ``to_status``; returns the acting provider (None for staff)."""
    if _staff(actor, job.makerspace_id):
        return None
    provider = actor_provider(actor, job.makerspace_id)
    if provider is not None and to_status in PROVIDER_ACTIONS:
        _move(job, to_status)  # a job someone else already took is a 409 for every provider, not a 403
        if job.provider_id == provider.pk or (to_status == Status.ACCEPTED and job.provider_id is None):
            return provider
        raise PermissionDenied("This job is assigned to another provider.", code="not_job_provider")
    raise PermissionDenied("Only staff of this makerspace or the job's provider may do that.", code="not_job_staff")


def _space_staff_users(makerspace_id: int) -> list:
    members = Member.objects.filter(
        makerspace_id=makerspace_id, status=Member.Status.ACTIVE, role__in=sorted(roles.MAKERSPACE_STAFF_ROLES)
    ).select_related("user")
    return [member.user for member in members if member.user.is_active]


def _context(job: ServiceJob) -> dict:
    return {
        "job_id": job.pk,
        "title": job.title,
        "makerspace": job.makerspace.name,
        "material": job.material,
        "quantity": job.quantity,
        "priority": job.priority,
        "status": job.status,
    }


def _record(*, job: ServiceJob, actor, from_status: str, note: str = "", data: dict | None = None, at=None):
    """The timeline row and the domain event of one status change (caller holds the transaction and the lock)."""
    at = at or timezone.now()
    ServiceJobEvent.objects.create(
        job=job,
        from_status=from_status,
        to_status=job.status,
        actor=_user(actor),
        note=note[:500],
        data=data or {},
        at=at,
    )
    events.emit(STATUS_CHANGED, job=job, from_status=from_status, to_status=job.status, note=note, at=at, actor=actor)


# --- receive ---------------------------------------------------------------------------------------------------


def _receive_fields(**given) -> dict:
    """Checked and normalised fields of an incoming job; every problem reported at once (400)."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for name, limit, required in (
        ("source", 16, True),
        ("external_order_id", 100, True),
        ("title", 200, True),
        ("description", 10000, False),
        ("file_url", 2000, False),
    ):
        value = given.get(name)
        value = "" if value is None else str(value).strip()
        if required and not value:
            errors[name] = ["Required."]
        elif len(value) > limit:
            errors[name] = [f"At most {limit} characters."]
        clean[name] = value
    if clean["source"] and clean["source"] not in ServiceJob.Source.values:
        errors["source"] = [f"One of: {', '.join(ServiceJob.Source.values)}."]
    for name in ("requirements", "delivery"):
        value = given.get(name)
        if value is None:
            value = {}
        if not isinstance(value, dict):
            errors[name] = ["Must be an object."]
        clean[name] = value
    priority = given.get("priority") or ServiceJob.Priority.NORMAL
    if priority not in ServiceJob.Priority.values:
        errors["priority"] = [f"One of: {', '.join(ServiceJob.Priority.values)}."]
    clean["priority"] = priority
    quantity = given.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int | str) or not str(quantity).strip().isdigit():
        errors["quantity"] = ["A whole number from 1."]
    elif not 1 <= int(quantity) <= 1_000_000:
        errors["quantity"] = ["A whole number from 1 to 1000000."]
    else:
        clean["quantity"] = int(quantity)
    price = given.get("price")
    if price is not None:
        try:
            amount = Decimal(str(price))
            if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
                raise InvalidOperation
            clean["price"] = amount.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["price"] = ["A non-negative amount."]
    currency = given.get("currency")
    if currency is not None and (not isinstance(currency, str) or not CURRENCY.match(currency)):
        errors["currency"] = ["A three-letter ISO 4217 code, e.g. INR."]
    customer = given.get("customer") or {}
    if not isinstance(customer, dict):
        errors["customer"] = ["Must be an object with name and email."]
        customer = {}
    clean["customer_name"] = str(customer.get("name") or "")[:200]
    clean["customer_email"] = str(customer.get("email") or "")[:254]
    if errors:
        raise ValidationError("Invalid job.", errors=errors)
    if currency:
        clean["currency"] = currency
    return clean


@transaction.atomic
def job_receive(
    *,
    actor,
    source: str,
    external_order_id: str,
    title: str,
    description: str = "",
    file_url: str = "",
    requirements: dict | None = None,
    delivery: dict | None = None,
    priority: str = "normal",
    quantity=1,
    price=None,
    currency: str | None = None,
    customer: dict | None = None,
    makerspace_id: int | None = None,
) -> tuple[ServiceJob, bool]:
    """Create the job for a sender's order, or return the one already made for it: ``(job, created)``.

    Idempotent by ``(source, external_order_id)`` under concurrency: the unique constraint decides, and the loser
    of a race returns the winner's job. The job goes to ``job_route``'s makerspace (409 ``no_capable_makerspace``
    when none takes it, nothing written). The platform (``SYSTEM``) or a platform admin only.
    """
    if actor is not SYSTEM and not roles.is_platform_admin(actor):
        raise PermissionDenied("Only the platform receives store jobs.", code="not_platform_admin")
    fields = _receive_fields(
        source=source,
        external_order_id=external_order_id,
        title=title,
        description=description,
        file_url=file_url,
        requirements=requirements,
        delivery=delivery,
        priority=priority,
        quantity=quantity,
        price=price,
        currency=currency,
        customer=customer,
    )
    key = {"source": fields["source"], "external_order_id": fields["external_order_id"]}
    existing = ServiceJob.objects.filter(**key).first()
    if existing is not None:
        return existing, False
    space = job_route(
        requirements=fields["requirements"],
        preferred_makerspace_id=preferred_makerspace_id(delivery=fields["delivery"], makerspace_id=makerspace_id),
        delivery=fields["delivery"],
    )
    if space is None:
        raise ConflictError("No active makerspace accepts this job (machine type and material).", code=NO_MAKERSPACE)
    material = material_slug(fields["requirements"])
    now = timezone.now()
    try:
        with transaction.atomic():
            job = ServiceJob.objects.create(
                makerspace=space,
                material=material,
                material_item=material_items(makerspace_id=space.pk, material=material).first(),
                status=Status.RECEIVED,
                received_at=now,
                **fields,
            )
    except IntegrityError:
        # Another delivery of the same order committed first (the unique index waited for it): answer with it.
        winner = ServiceJob.objects.filter(**key).first()
        if winner is None:
            raise
        return winner, False
    _record(job=job, actor=actor, from_status="", note="Received", data={"routed_to": space.pk}, at=now)
    context = _context(job)
    for user in _space_staff_users(space.pk):
        notify(user, "job.received", context, makerspace=space)
    return job, True


# --- status changes --------------------------------------------------------------------------------------------


def _lock(job: ServiceJob) -> ServiceJob:
    return ServiceJob.objects.select_for_update(of=("self",)).select_related("makerspace").get(pk=job.pk)


def _move(locked: ServiceJob, to_status: str) -> str:
    previous = locked.status
    if to_status not in ServiceJob.TRANSITIONS[previous]:
        raise InvalidTransition(f"A {previous} job cannot become {to_status}.")
    return previous


def _save(locked: ServiceJob, *, actor, previous: str, note: str = "", data: dict | None = None, fields=()):
    at = timezone.now()
    stamp = ServiceJob.STATUS_TIMESTAMPS[locked.status]
    setattr(locked, stamp, at)
    locked.save(update_fields=["status", stamp, "updated_at", *fields])
    _record(job=locked, actor=actor, from_status=previous, note=note, data=data, at=at)
    return locked


def _assign_check(*, job: ServiceJob, provider: ServiceProvider | None, machine: Equipment | None) -> None:
    errors = {}
    if (
        provider is not None
        and not ServiceProvider.objects.filter(
            pk=provider.pk, verified_at__isnull=False, makerspaces__pk=job.makerspace_id
        ).exists()
    ):
        errors["provider"] = ["Not a verified provider of this makerspace."]
    if machine is not None:
        types = [machine_type for machine_type, _ in required_capabilities(job.requirements)]
        if machine.makerspace_id != job.makerspace_id or not machine.active:
            errors["machine"] = ["Not an active machine of this makerspace."]
        elif types and machine.equipment_type not in types:
            errors["machine"] = [f"The job needs a machine of type {', '.join(types)}."]
    if errors:
        raise ValidationError("Invalid assignment.", errors=errors)


@transaction.atomic
def job_accept(
    *, job: ServiceJob, actor, provider: ServiceProvider | None = None, machine: Equipment | None = None
) -> ServiceJob:
    """Take the job on, optionally naming its provider and machine. A provider accepting assigns it to themselves
    (naming another provider is staff work). The assigned provider is notified ("job.assigned")."""
    locked = _lock(job)
    acting_provider = _act_require(actor=actor, job=locked, to_status=Status.ACCEPTED)
    previous = _move(locked, Status.ACCEPTED)
    if acting_provider is not None:
        if provider is not None and provider.pk != acting_provider.pk:
            raise PermissionDenied("Providers accept jobs for themselves.", code="not_job_provider")
        provider = acting_provider
    _assign_check(job=locked, provider=provider, machine=machine)
    fields = []
    if provider is not None:
        locked.provider = provider
        fields.append("provider")
    if machine is not None:
        locked.machine = machine
        fields.append("machine")
    locked.status = Status.ACCEPTED
    data = {"provider": locked.provider_id, "machine": locked.machine_id}
    _save(locked, actor=actor, previous=previous, note="Accepted", data=data, fields=fields)
    if locked.provider_id is not None and locked.provider.user_id != getattr(_user(actor), "pk", None):
        notify(locked.provider.user_id, "job.assigned", _context(locked), makerspace=locked.makerspace)
    return locked


@transaction.atomic
def job_assign(*, job: ServiceJob, actor, provider: ServiceProvider | None, machine: Equipment | None) -> ServiceJob:
    """Staff (re)assign an open job's provider and machine without changing its status (the admin's change form).

    Written to the timeline (from and to the same status) but not announced: the store follows statuses only.
    A newly named provider is notified ("job.assigned").
    """
    locked = _lock(job)
    if not _staff(actor, locked.makerspace_id):
        raise PermissionDenied("Only staff of this makerspace assign jobs.", code="not_job_staff")
    if locked.status not in ServiceJob.OPEN_STATUSES:
        raise InvalidTransition(f"A {locked.status} job is not reassigned.")
    _assign_check(job=locked, provider=provider, machine=machine)
    newly_assigned = provider is not None and provider.pk != locked.provider_id
    locked.provider, locked.machine = provider, machine
    locked.save(update_fields=["provider", "machine", "updated_at"])
    ServiceJobEvent.objects.create(
        job=locked,
        from_status=locked.status,
        to_status=locked.status,
        actor=_user(actor),
        note="Assigned",
        data={"provider": locked.provider_id, "machine": locked.machine_id},
        at=timezone.now(),
    )
    if newly_assigned:
        notify(provider.user_id, "job.assigned", _context(locked), makerspace=locked.makerspace)
    return locked


@transaction.atomic
def job_start(*, job: ServiceJob, actor, machine: Equipment | None = None) -> ServiceJob:
    """Production begins (optionally on a named machine)."""
    locked = _lock(job)
    _act_require(actor=actor, job=locked, to_status=Status.IN_PROGRESS)
    previous = _move(locked, Status.IN_PROGRESS)
    fields = []
    if machine is not None:
        _assign_check(job=locked, provider=None, machine=machine)
        locked.machine = machine
        fields.append("machine")
    locked.status = Status.IN_PROGRESS
    return _save(
        locked, actor=actor, previous=previous, note="Started", data={"machine": locked.machine_id}, fields=fields
    )


def default_materials(job: ServiceJob) -> list[dict]:
    """What completion draws when nobody says: the matched item, ``est_weight_g`` × quantity in grams (or kg).

    Jobs without a matched item, a weight or a weight-based unit (laser sheets) draw nothing by default; staff
    record sheets with ``materials``.
    """
    item = job.material_item
    if item is None or not item.active or item.unit not in GRAMS_PER_UNIT:
        return []
    try:
        grams = Decimal(str(job.requirements.get("est_weight_g") or 0))
    except (InvalidOperation, ValueError):
        return []
    if not grams.is_finite() or grams <= 0:
        return []
    amount = (grams * job.quantity / GRAMS_PER_UNIT[item.unit]).quantize(Decimal("0.001"))
    return [{"item": item, "quantity": amount}] if amount > 0 else []


def _materials_resolve(job: ServiceJob, materials) -> list[dict]:
    if materials is None:
        return default_materials(job)
    if not isinstance(materials, list) or len(materials) > 50:
        raise ValidationError("A list of {item, quantity}.", errors={"materials": ["A list of at most 50 lines."]})
    resolved, errors = [], {}
    for index, line in enumerate(materials):
        item = line.get("item") if isinstance(line, dict) else None
        item_id = getattr(item, "pk", item)
        found = (
            InventoryItem.objects.filter(pk=item_id, makerspace_id=job.makerspace_id).first()
            if isinstance(item_id, int) and not isinstance(item_id, bool)
            else None
        )
        if found is None:
            errors[f"materials.{index}.item"] = ["Not an inventory item of this makerspace."]
            continue
        try:
            amount = inventory_services.quantity_parse(line.get("quantity"), field=f"materials.{index}.quantity")
        except ValidationError as exc:
            errors.update(exc.errors)
            continue
        resolved.append({"item": found, "quantity": amount})
    if errors:
        raise ValidationError("Invalid materials.", errors=errors)
    return resolved


@transaction.atomic
def job_complete(*, job: ServiceJob, actor, materials: list[dict] | None = None) -> ServiceJob:
    """The work is made: record the material consumed (ledger kind ``job``, one row per line, items locked in id
    order) in the same transaction. ``materials`` ``[{item, quantity}]`` (item object or id, quantity in the
    item's unit); omitted: ``default_materials``; ``[]``: nothing. An overdraw is 409 ``insufficient_stock``
    and nothing changes."""
    locked = _lock(job)
    _act_require(actor=actor, job=locked, to_status=Status.COMPLETED)
    previous = _move(locked, Status.COMPLETED)
    lines = _materials_resolve(locked, materials)
    consumed = []
    for line in sorted(lines, key=lambda entry: entry["item"].pk):
        # The job's staff or provider decided; the inventory service still locks, checks stock and writes the row.
        movement = inventory_services._apply(
            item=line["item"],
            actor=actor,
            kind=inventory_services.Kind.JOB,
            delta=-line["quantity"],
            reason=f"Service job {locked.pk}: {locked.title}"[:500],
            reference=f"job:{locked.pk}",
            checked=True,
        )
        consumed.append({"item": line["item"].pk, "quantity": str(line["quantity"]), "movement": movement.pk})
    locked.status = Status.COMPLETED
    return _save(locked, actor=actor, previous=previous, note="Completed", data={"consumed": consumed})


@transaction.atomic
def job_ship(*, job: ServiceJob, actor, tracking: str = "") -> ServiceJob:
    """Handed over: shipped with an optional tracking number, or collected for a pickup."""
    locked = _lock(job)
    _act_require(actor=actor, job=locked, to_status=Status.SHIPPED)
    previous = _move(locked, Status.SHIPPED)
    tracking = (tracking or "").strip()
    if len(tracking) > 200:
        raise ValidationError("At most 200 characters.", errors={"tracking": ["At most 200 characters."]})
    locked.tracking = tracking
    locked.status = Status.SHIPPED
    return _save(
        locked,
        actor=actor,
        previous=previous,
        note=tracking or "Shipped",
        data={"tracking": tracking},
        fields=["tracking"],
    )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why.", errors={"reason": ["Required."]})
    if len(reason) > 500:
        raise ValidationError("At most 500 characters.", errors={"reason": ["At most 500 characters."]})
    return reason


@transaction.atomic
def job_reject(*, job: ServiceJob, actor, reason: str) -> ServiceJob:
    """Staff refuse a received job, saying why (the store learns it through the bridge)."""
    locked = _lock(job)
    _act_require(actor=actor, job=locked, to_status=Status.REJECTED)
    previous = _move(locked, Status.REJECTED)
    locked.status_note = _reason(reason)
    locked.status = Status.REJECTED
    return _save(locked, actor=actor, previous=previous, note=locked.status_note, fields=["status_note"])


@transaction.atomic
def job_cancel(*, job: ServiceJob, actor, reason: str) -> ServiceJob:
    """Staff (or the platform, when the store cancels) stop a job that is not made yet, saying why."""
    locked = _lock(job)
    _act_require(actor=actor, job=locked, to_status=Status.CANCELLED)
    previous = _move(locked, Status.CANCELLED)
    locked.status_note = _reason(reason)
    locked.status = Status.CANCELLED
    return _save(locked, actor=actor, previous=previous, note=locked.status_note, fields=["status_note"])
