"""Project BOM writes: lines, their procurement states, and drawing from the makerspace's inventory.

A line names an inventory item of the project's makerspace or a store SKU (the bridge resolves it; this app
never imports the store). ``needed → ordered → received → consumed``; a line whose item is on the shelf goes
``needed → consumed``. Receiving an inventory-item line restocks that item (the order arrived into the
space's stock); consuming one draws it from the ledger (kind ``project``) under the item's access rules.
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.db import transaction

from makerspace.models import BOMLine, InventoryItem, Project, StockMovement
from makerspace.services import inventory as inventory_services
from makerspace.services.projects import project_edit_require
from makrx import events
from makrx.errors import ConflictError, InvalidTransition, ValidationError
from makrx.money import default_currency

Kind = StockMovement.Kind


def _money(value, field: str = "unit_cost") -> Decimal:
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError("Give an amount.", errors={field: ["Give an amount."]})
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10") or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError("A non-negative amount with 2 decimals.", errors={field: ["Invalid amount."]})
    return amount


@transaction.atomic
def bom_line_add(
    *,
    actor,
    project: Project,
    quantity,
    inventory_item: InventoryItem | None = None,
    store_sku: str = "",
    description: str = "",
    unit_cost=None,
) -> BOMLine:
    project_edit_require(actor, project)
    if inventory_item is None and not store_sku.strip():
        raise ValidationError("Name an inventory item or a store SKU.", errors={"store_sku": ["Required."]})
    if inventory_item is not None and inventory_item.makerspace_id != project.makerspace_id:
        raise ValidationError(
            "The item belongs to another makerspace.", errors={"inventory_item": ["Not this makerspace's."]}
        )
    amount = inventory_services.quantity_parse(quantity)
    cost = _money(unit_cost) if unit_cost is not None else (inventory_item.unit_cost if inventory_item else Decimal(0))
    return BOMLine.objects.create(
        project=project,
        inventory_item=inventory_item,
        store_sku=store_sku.strip() or (inventory_item.store_sku if inventory_item else ""),
        description=description or (inventory_item.name if inventory_item else ""),
        quantity=amount,
        unit_cost=cost,
        currency=inventory_item.currency if inventory_item else default_currency(),
    )


@transaction.atomic
def bom_line_update(*, actor, line: BOMLine, **fields) -> BOMLine:
    """Edit a line while it is still ``needed`` (quantity, unit cost, description, store SKU)."""
    locked = BOMLine.objects.select_for_update().select_related("project").get(pk=line.pk)
    project_edit_require(actor, locked.project)
    allowed = {"quantity", "unit_cost", "description", "store_sku"}
    if set(fields) - allowed:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(set(fields) - allowed))}.")
    if locked.state != BOMLine.State.NEEDED:
        raise InvalidTransition("Only a needed line is edited; it is already on its way.")
    if "quantity" in fields:
        fields["quantity"] = inventory_services.quantity_parse(fields["quantity"])
    if "unit_cost" in fields:
        fields["unit_cost"] = _money(fields["unit_cost"])
    for name, value in fields.items():
        setattr(locked, name, value)
    if locked.inventory_item_id is None and not locked.store_sku.strip():
        raise ValidationError("Name an inventory item or a store SKU.", errors={"store_sku": ["Required."]})
    locked.save()
    return locked


def _consume(line: BOMLine, actor) -> None:
    if line.inventory_item_id is not None:
        line.consumed_movement = inventory_services._apply(
            item=line.inventory_item,
            actor=actor,
            kind=Kind.PROJECT,
            delta=-line.quantity,
            reason=f"Project {line.project_id}: {line.description}"[:500],
            reference=f"project:{line.project_id}:line:{line.pk}",
        )


@transaction.atomic
def bom_line_transition(*, actor, line: BOMLine, state: str) -> BOMLine:
    """Move a line to its next state (409 ``invalid_transition`` otherwise)."""
    locked = BOMLine.objects.select_for_update(of=("self",)).select_related("project", "inventory_item").get(pk=line.pk)
    project_edit_require(actor, locked.project)
    if state not in BOMLine.State.values:
        raise ValidationError("Unknown state.", errors={"state": ["Unknown state."]})
    if state not in BOMLine.TRANSITIONS[locked.state]:
        raise InvalidTransition(f"A {locked.state} line cannot become {state}.")
    if state == BOMLine.State.RECEIVED and locked.inventory_item_id is not None:
        inventory_services._apply(
            item=locked.inventory_item,
            actor=actor,
            kind=Kind.RESTOCK,
            delta=locked.quantity,
            reason=f"Received for project {locked.project_id}",
            reference=f"project:{locked.project_id}:line:{locked.pk}",
            checked=True,
        )
    if state == BOMLine.State.CONSUMED:
        _consume(locked, actor)
    locked.state = state
    locked.save(update_fields=["state", "consumed_movement", "updated_at"])
    return locked


@transaction.atomic
def bom_reserve_from_inventory(*, actor, project: Project) -> dict:
    """Draw every ``needed`` inventory line that the shelf covers, in one transaction; report the rest.

    Returns ``{"consumed": [line ids], "short": [{line, needed, available}], "refused": [{line, code}]}``.
    Items are locked in id order (no deadlock with a concurrent draw); a line is drawn whole or not at all.
    """
    locked_project = Project.objects.select_for_update().get(pk=project.pk)
    project_edit_require(actor, locked_project)
    lines = list(
        BOMLine.objects.select_for_update()
        .filter(project=locked_project, state=BOMLine.State.NEEDED, inventory_item__isnull=False)
        .order_by("id")
    )
    if not lines:
        raise ConflictError("No needed line names an inventory item.", code="nothing_to_reserve")
    item_ids = sorted({line.inventory_item_id for line in lines})
    items = {item.pk: item for item in InventoryItem.objects.select_for_update().filter(pk__in=item_ids).order_by("pk")}
    result = {"consumed": [], "short": [], "refused": []}
    for line in lines:
        item = items[line.inventory_item_id]
        if not inventory_services.draw_allowed(actor=actor, item=item, kind=Kind.PROJECT):
            result["refused"].append({"line": line.pk, "code": "access_level"})
            continue
        if not item.active or item.quantity < line.quantity:
            result["short"].append({"line": line.pk, "needed": line.quantity, "available": item.quantity})
            continue
        line.consumed_movement = inventory_services._apply(
            item=item,
            actor=actor,
            kind=Kind.PROJECT,
            delta=-line.quantity,
            reason=f"Project {locked_project.pk}: {line.description}"[:500],
            reference=f"project:{locked_project.pk}:line:{line.pk}",
            locked=item,
        )
        line.state = BOMLine.State.CONSUMED
        line.save(update_fields=["state", "consumed_movement", "updated_at"])
        result["consumed"].append(line.pk)
    return result


BOM_TO_CART_REQUESTED = "makerspace.project.bom_to_cart_requested"


@transaction.atomic
def bom_store_cart_send(*, actor, project: Project) -> list[dict]:
    """Put the project's needed store lines into the caller's store cart, through the bridge (announced as
    ``BOM_TO_CART_REQUESTED``): ``[{sku, quantity}]``, one line per SKU, quantities rounded up to whole units.
    Whoever edits the project; 409 ``nothing_to_order`` when no needed line names a store SKU."""
    project_edit_require(actor, project)
    totals: dict[str, Decimal] = {}
    for line in (
        BOMLine.objects.filter(project=project, state=BOMLine.State.NEEDED).exclude(store_sku="").order_by("id")
    ):
        totals[line.store_sku] = totals.get(line.store_sku, Decimal(0)) + line.quantity
    lines = [{"sku": sku, "quantity": math.ceil(quantity)} for sku, quantity in totals.items() if quantity > 0]
    if not lines:
        raise ConflictError("No needed line names a store SKU.", code="nothing_to_order")
    events.emit(BOM_TO_CART_REQUESTED, project=project, user=actor, lines=lines)
    return lines
