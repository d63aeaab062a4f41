"""Inventory writes: items, the append-only stock ledger (movements, transfers, stocktakes) and low-stock alerts.

Every change of an item's quantity goes through ``_apply``: lock the item row, check who acts and the sign
of the kind, update the quantity with a guarded UPDATE (``quantity + delta >= 0`` in its WHERE clause) and
append the ledger row with the quantity before and after, all in the caller's transaction. The database's
check constraints (quantity never negative, each row adding up) catch whatever a future caller gets wrong;
their violation answers 409 ``insufficient_stock`` as the service's own check does.
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from makerspace.models import InventoryItem, Makerspace, Member, StockMovement
from makerspace.services import billing as billing_services
from makrx import events
from makrx.auth import roles, scoping
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, PermissionDenied, ValidationError
from makrx.notifications import notify

Kind = StockMovement.Kind
# Kinds given as a positive amount that add (+1) or draw (-1) stock.
SIGN = {Kind.RESTOCK: 1, Kind.USAGE: -1, Kind.JOB: -1, Kind.PROJECT: -1, Kind.DAMAGE: -1}
# Kinds any member may record on a ``basic`` item (drawing what they use); every other kind is staff work.
MEMBER_KINDS = {Kind.USAGE, Kind.PROJECT}
MAX_QUANTITY = Decimal("99999999999.999")
ITEM_FIELDS = (
    "sku",
    "name",
    "category",
    "unit",
    "location",
    "supplier",
    "supplier_name",
    "unit_cost",
    "currency",
    "reorder_level",
    "reorder_quantity",
    "access_level",
    "store_sku",
    "active",
)
INSUFFICIENT = "insufficient_stock"


def quantity_parse(
    value, *, field: str = "quantity", allow_zero: bool = False, allow_negative: bool = False
) -> Decimal:
    """A quantity as Decimal with at most 3 decimals and 11 digits before the point (400 otherwise)."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError("Give a number.", errors={field: ["Give a number."]})
    if not amount.is_finite() or abs(amount) > MAX_QUANTITY or amount != amount.quantize(Decimal("0.001")):
        raise ValidationError(
            "At most 11 digits and 3 decimals.", errors={field: ["At most 11 digits and 3 decimals."]}
        )
    if amount < 0 and not allow_negative:
        raise ValidationError("Must not be negative.", errors={field: ["Must not be negative."]})
    if amount == 0 and not allow_zero:
        raise ValidationError("Must not be zero.", errors={field: ["Must not be zero."]})
    return amount


# --- who may act ---------------------------------------------------------------------------------


def draw_allowed(*, actor, item: InventoryItem, kind: str) -> bool:
    """Whether ``actor`` may record ``kind`` on ``item`` (the rule of ``_draw_require``), without raising."""
    try:
        _draw_require(actor=actor, item=item, kind=kind)
    except PermissionDenied:
        return False
    return True


def _draw_require(*, actor, item: InventoryItem, kind: str) -> None:
    """Members draw (usage, project) from ``basic`` items; staff from ``certified`` ones; managers from
    ``admin_only`` ones. Restocks, adjustments, damage, transfers, stocktakes and job consumption are staff work."""
    if actor is SYSTEM:
        return
    space = item.makerspace_id
    # One membership lookup: the strictest rule that applies (staff and managers are members too).
    if item.access_level == InventoryItem.Access.ADMIN_ONLY:
        scoping.makerspace_manager_require(user=actor, makerspace_id=space)
    elif item.access_level == InventoryItem.Access.CERTIFIED or kind not in MEMBER_KINDS:
        scoping.makerspace_staff_require(user=actor, makerspace_id=space)
    else:
        scoping.makerspace_member_require(user=actor, makerspace_id=space)


def _staff_require(actor, makerspace_id) -> None:
    if actor is SYSTEM:
        return
    scoping.makerspace_staff_require(user=actor, makerspace_id=makerspace_id)


def _actor_user(actor):
    return None if actor is SYSTEM else actor


# --- items ---------------------------------------------------------------------------------------


def item_fields_validate(fields: dict) -> dict:
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    errors: dict[str, list[str]] = {}
    choices = {
        "unit": InventoryItem.Unit.values,
        "supplier": InventoryItem.Supplier.values,
        "access_level": InventoryItem.Access.values,
    }
    for name, allowed in choices.items():
        if name in fields and fields[name] not in allowed:
            errors[name] = [f"One of: {', '.join(allowed)}."]
    for name in ("sku", "name"):
        if name in fields and not str(fields[name]).strip():
            errors[name] = ["Required."]
    if "reorder_level" in fields:
        try:
            fields["reorder_level"] = quantity_parse(fields["reorder_level"], field="reorder_level", allow_zero=True)
        except ValidationError as exc:
            errors.update(exc.errors)
    if fields.get("reorder_quantity") is not None:
        try:
            fields["reorder_quantity"] = quantity_parse(fields["reorder_quantity"], field="reorder_quantity")
        except ValidationError as exc:
            errors.update(exc.errors)
    if "unit_cost" in fields:
        try:
            cost = Decimal(str(fields["unit_cost"]))
            if not cost.is_finite() or cost < 0 or cost >= Decimal("1e10") or cost != cost.quantize(Decimal("0.01")):
                raise InvalidOperation
            fields["unit_cost"] = cost
        except (InvalidOperation, ValueError):
            errors["unit_cost"] = ["A non-negative amount with at most 2 decimals."]
    if errors:
        raise ValidationError("Invalid item.", errors=errors)
    return fields


@transaction.atomic
def item_create(*, actor, makerspace: Makerspace, quantity=None, **fields) -> InventoryItem:
    """Staff add an item; an opening ``quantity`` is recorded as a first ``restock`` movement (the ledger holds it)."""
    _staff_require(actor, makerspace.pk)
    fields = item_fields_validate(dict(fields))
    if InventoryItem.objects.filter(makerspace=makerspace, sku=fields.get("sku")).exists():
        raise ConflictError("This makerspace already has an item with that SKU.", code="duplicate_sku")
    item = InventoryItem.objects.create(makerspace=makerspace, **fields)
    if quantity is not None and quantity_parse(quantity, allow_zero=True) > 0:
        _apply(item=item, actor=actor, kind=Kind.RESTOCK, delta=quantity_parse(quantity), reason="Opening stock")
        item.refresh_from_db()
    return item


@transaction.atomic
def item_update(*, actor, item: InventoryItem, **fields) -> InventoryItem:
    """Staff edit an item's facts; the quantity changes only through movements."""
    locked = InventoryItem.objects.select_for_update().get(pk=item.pk)
    _staff_require(actor, locked.makerspace_id)
    fields = item_fields_validate(dict(fields))
    sku_changed = "sku" in fields and fields["sku"] != locked.sku
    if sku_changed and InventoryItem.objects.filter(makerspace_id=locked.makerspace_id, sku=fields["sku"]).exists():
        raise ConflictError("This makerspace already has an item with that SKU.", code="duplicate_sku")
    for name, value in fields.items():
        setattr(locked, name, value)
    if not locked.is_low:
        locked.low_stock_notified_at = None  # a raised level or a lowered threshold re-arms the alert
    locked.save()
    return locked


# --- the ledger ----------------------------------------------------------------------------------


def _apply(
    *,
    item: InventoryItem,
    actor,
    kind: str,
    delta: Decimal,
    reason: str = "",
    reference: str = "",
    counted: Decimal | None = None,
    transfer_group=None,
    locked: InventoryItem | None = None,
    checked: bool = False,
) -> StockMovement:
    """Change one item's quantity by ``delta`` and append its ledger row (caller holds a transaction).

    ``checked``: the caller has already decided the actor may make this movement (a project's procurement
    receiving into stock); the actor is still recorded on the row.
    """
    locked = locked or InventoryItem.objects.select_for_update().get(pk=item.pk)
    if not checked:
        _draw_require(actor=actor, item=locked, kind=kind)
    if not locked.active and delta < 0 and kind not in (Kind.STOCKTAKE, Kind.ADJUSTMENT, Kind.TRANSFER):
        raise ConflictError("This item is inactive.", code="item_inactive")
    before = locked.quantity
    after = before + delta
    if after < 0:
        raise ConflictError(
            f"Only {before} {locked.unit} of {locked.sku} in stock.",
            code=INSUFFICIENT,
            errors={"quantity": [f"Only {before} {locked.unit} in stock."]},
        )
    if abs(after) > MAX_QUANTITY:
        raise ValidationError("That would exceed the largest quantity kept.", errors={"quantity": ["Too large."]})
    try:
        with transaction.atomic():
            updated = InventoryItem.objects.filter(pk=locked.pk, quantity=before, quantity__gte=-delta).update(
                quantity=F("quantity") + delta, updated_at=timezone.now()
            )
            if updated != 1:
                raise ConflictError(f"Not enough {locked.sku} in stock.", code=INSUFFICIENT)
            movement = StockMovement.objects.create(
                item=locked,
                makerspace_id=locked.makerspace_id,
                kind=kind,
                quantity=delta,
                quantity_before=before,
                quantity_after=after,
                counted_quantity=counted,
                reason=reason[:500],
                reference=reference[:200],
                transfer_group=transfer_group,
                actor=_actor_user(actor),
                created_at=timezone.now(),
            )
    except IntegrityError:
        raise ConflictError(f"Not enough {locked.sku} in stock.", code=INSUFFICIENT)
    locked.quantity = after
    if locked.low_stock_notified_at is not None and not locked.is_low:
        # Restocked above its level: the next fall below notifies staff again.
        InventoryItem.objects.filter(pk=locked.pk).update(low_stock_notified_at=None)
        locked.low_stock_notified_at = None
    return movement


@transaction.atomic
def movement_record(
    *, actor, item: InventoryItem, kind: str, quantity, reason: str = "", reference: str = "", bill_member=None
) -> StockMovement:
    """Record one movement. ``quantity`` is positive for restock/usage/job/project/damage (the kind gives the sign),
    signed and non-zero for ``adjustment``, and the counted quantity for ``stocktake``. Transfers:
    ``movement_transfer``. An overdraw answers 409 ``insufficient_stock`` and writes nothing."""
    if kind == Kind.TRANSFER:
        raise ValidationError("A transfer names its destination item.", errors={"to_item": ["Required."]})
    if kind not in Kind.values:
        raise ValidationError("Unknown kind.", errors={"kind": ["Unknown kind."]})
    if not reason.strip() and kind in (Kind.ADJUSTMENT, Kind.DAMAGE):
        raise ValidationError("Say why.", errors={"reason": ["Required for adjustments and damage."]})
    if kind == Kind.STOCKTAKE:
        counted = quantity_parse(quantity, allow_zero=True)
        locked = InventoryItem.objects.select_for_update().get(pk=item.pk)
        return _apply(
            item=locked,
            actor=actor,
            kind=kind,
            delta=counted - locked.quantity,
            counted=counted,
            reason=reason or "Stocktake",
            reference=reference,
            locked=locked,
        )
    if kind == Kind.ADJUSTMENT:
        delta = quantity_parse(quantity, allow_negative=True)
    else:
        delta = quantity_parse(quantity) * SIGN[kind]
    movement = _apply(item=item, actor=actor, kind=kind, delta=delta, reason=reason, reference=reference)
    if bill_member is not None and kind == Kind.USAGE:
        # Materials drawn for a member are billed at the item's unit cost (billing ledger, same transaction).
        if bill_member.makerspace_id != item.makerspace_id:
            raise ValidationError("That member belongs to another makerspace.", errors={"member": ["Elsewhere."]})
        billing_services.bill_materials(movement=movement, member=bill_member, actor=actor)
    return movement


@transaction.atomic
def movement_transfer(
    *, actor, from_item: InventoryItem, to_item: InventoryItem, quantity, reason: str = "", reference: str = ""
) -> tuple[StockMovement, StockMovement]:
    """Move stock between two items (usually of two makerspaces) in one transaction: both rows or neither.

    The actor must be staff of both spaces; the units must match. Rows are locked in id order so two opposite
    transfers cannot deadlock.
    """
    amount = quantity_parse(quantity)
    if from_item.pk == to_item.pk:
        raise ValidationError("Transfer to another item.", errors={"to_item": ["Same item."]})
    first, second = sorted((from_item.pk, to_item.pk))
    locked = {row.pk: row for row in InventoryItem.objects.select_for_update().filter(pk__in=[first, second])}
    source, target = locked[from_item.pk], locked[to_item.pk]
    if source.unit != target.unit:
        raise ValidationError(
            f"Units differ ({source.unit} → {target.unit}).", errors={"to_item": ["The units differ."]}
        )
    group = uuid.uuid4()
    out = _apply(
        item=source,
        actor=actor,
        kind=Kind.TRANSFER,
        delta=-amount,
        reason=reason or f"Transfer to {target.sku}",
        reference=reference,
        transfer_group=group,
        locked=source,
    )
    # The destination's own checks (its staff, its quantity) run after the source row is written: a refusal here
    # rolls the source back with it.
    into = _apply(
        item=target,
        actor=actor,
        kind=Kind.TRANSFER,
        delta=amount,
        reason=reason or f"Transfer from {source.sku}",
        reference=reference,
        transfer_group=group,
        locked=target,
    )
    return out, into


# --- low stock -----------------------------------------------------------------------------------


def _space_staff_users(makerspace_id: int) -> list:
    members = Member.objects.filter(
        makerspace_id=makerspace_id, status=Member.Status.ACTIVE, role__in=sorted(roles.MAKERSPACE_STAFF_ROLES)
    ).select_related("user")
    return [member.user for member in members if member.user.is_active]


def low_stock_notify_due() -> int:
    """Tell each makerspace's staff about items that fell to their reorder level since the last run (``SYSTEM``).

    Once per crossing: an item is marked when notified and unmarked only when a movement (or an edit of its
    level) takes it above again. Safe to run twice: the mark is set with the row locked, in the same transaction
    as the notification, which is delivered after commit. Returns the number of items notified about.
    """
    notified = 0
    low = InventoryItem.objects.filter(
        active=True, reorder_level__gt=0, quantity__lte=F("reorder_level"), low_stock_notified_at__isnull=True
    )
    for makerspace_id in low.values_list("makerspace_id", flat=True).distinct().order_by("makerspace_id"):
        with transaction.atomic():
            items = list(low.filter(makerspace_id=makerspace_id).select_for_update(skip_locked=True).order_by("sku"))
            if not items:
                continue
            space = Makerspace.objects.get(pk=makerspace_id)
            now = timezone.now()
            InventoryItem.objects.filter(pk__in=[item.pk for item in items]).update(low_stock_notified_at=now)
            context = {
                "makerspace": space.name,
                "count": len(items),
                "items": [
                    {
                        "sku": item.sku,
                        "name": item.name,
                        "quantity": str(item.quantity.normalize()),
                        "unit": item.unit,
                        "reorder_level": str(item.reorder_level.normalize()),
                        "suggested_reorder_quantity": str(item.suggested_reorder_quantity.normalize()),
                    }
                    for item in items
                ],
            }
            for user in _space_staff_users(makerspace_id):
                notify(user, "inventory.low_stock", context, makerspace=space)
            notified += len(items)
    return notified


def actor_may_see_costs(actor, makerspace_id) -> bool:
    if actor is SYSTEM:
        return True
    return scoping.can_staff_makerspace(actor, makerspace_id)


QUICK_REORDER_REQUESTED = "makerspace.inventory.quick_reorder_requested"


@transaction.atomic
def quick_reorder_send(*, actor, makerspace: Makerspace) -> list[dict]:
    """Send the space's quick reorder to the store: its low store-supplied items (``store_reorder_lines``) become
    the caller's store reorder list, through the bridge (announced as ``QUICK_REORDER_REQUESTED`` in this
    transaction). Staff of the space; 409 ``nothing_to_reorder`` when no store item is low."""
    from makerspace.selectors.inventory import store_reorder_lines

    _staff_require(actor, makerspace.pk)
    lines = store_reorder_lines(user=actor, makerspace_id=makerspace.pk)
    if not lines:
        raise ConflictError("No store-supplied item is low.", code="nothing_to_reorder")
    events.emit(QUICK_REORDER_REQUESTED, makerspace=makerspace, user=actor, lines=lines)
    return lines
