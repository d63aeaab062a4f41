"""Inventory reads: items (members of the space see them), the ledger and the low-stock list (staff)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.db.models import F, Q, QuerySet

from makerspace.models import InventoryItem, StockMovement
from makerspace.models.inventory import suggested_reorder_quantity
from makerspace.selectors.scope import MEMBER, STAFFED, own_or_space
from makrx.money import quantize_money

NOTHING = Q(pk__in=[])
THOUSANDTH = Decimal("0.001")


def item_list(*, user) -> QuerySet[InventoryItem]:
    """Items of the makerspaces the user belongs to (members draw from them); platform admins see all."""
    queryset = own_or_space(InventoryItem.objects.all(), user, own=NOTHING, path="makerspace_id", level=MEMBER)
    return queryset.select_related("makerspace").order_by("makerspace_id", "sku", "id")


def item_staff_list(*, user) -> QuerySet[InventoryItem]:
    """Items of the makerspaces the user staffs (exports, labels, low stock)."""
    queryset = own_or_space(InventoryItem.objects.all(), user, own=NOTHING, path="makerspace_id", level=STAFFED)
    return queryset.select_related("makerspace").order_by("makerspace_id", "sku", "id")


def movement_list(*, user, item: InventoryItem | None = None) -> QuerySet[StockMovement]:
    """Ledger rows of the makerspaces the user staffs, newest first."""
    queryset = own_or_space(StockMovement.objects.all(), user, own=NOTHING, path="makerspace_id", level=STAFFED)
    if item is not None:
        queryset = queryset.filter(item=item)
    return queryset.select_related("item", "actor").order_by("-created_at", "-id")


LEDGER_EXPORT_FIELDS = (
    "id",
    "created_at",
    "item__sku",
    "item__name",
    "item__unit",
    "kind",
    "quantity",
    "quantity_before",
    "quantity_after",
    "counted_quantity",
    "reason",
    "reference",
    "transfer_group",
    "actor__username",
)


def movement_export_rows(*, makerspace_id: int, starts_at: datetime, ends_at: datetime, chunk_size: int = 2000):
    """The ledger of one makerspace in ``[starts_at, ends_at)`` as tuples, oldest first, read in keyset pages of
    ``chunk_size`` (``(created_at, id) > last``), so any range streams in constant memory with short queries and
    no server-side cursor left open if the client goes away."""
    base = StockMovement.objects.filter(
        makerspace_id=makerspace_id, created_at__gte=starts_at, created_at__lt=ends_at
    ).order_by("created_at", "id")
    last = None
    while True:
        page = base
        if last is not None:
            page = page.filter(Q(created_at__gt=last[1]) | Q(created_at=last[1], id__gt=last[0]))
        rows = list(page.values_list(*LEDGER_EXPORT_FIELDS)[:chunk_size])
        yield from rows
        if len(rows) < chunk_size:
            return
        last = rows[-1]


def item_export_rows(*, makerspace_id: int, chunk_size: int = 2000):
    """The makerspace's items by SKU, read in keyset pages (``sku > last``)."""
    base = InventoryItem.objects.filter(makerspace_id=makerspace_id).order_by("sku")
    last = None
    while True:
        page = base if last is None else base.filter(sku__gt=last)
        rows = list(page[:chunk_size])
        yield from rows
        if len(rows) < chunk_size:
            return
        last = rows[-1].sku


def low_stock_items(*, user, makerspace_id: int | None = None) -> QuerySet[InventoryItem]:
    """Active items at or below their (non-zero) reorder level in the user's staffed makerspaces.

    The filter matches the partial index ``inventory_item_low_idx`` so it reads only the low rows.
    """
    queryset = item_staff_list(user=user).filter(active=True, reorder_level__gt=0, quantity__lte=F("reorder_level"))
    if makerspace_id is not None:
        queryset = queryset.filter(makerspace_id=makerspace_id)
    return queryset.order_by("supplier", "supplier_name", "makerspace_id", "sku", "id")


def low_stock_grouped(*, user, makerspace_id: int | None = None) -> list[dict]:
    """The low-stock list grouped by supplier (store, or each external vendor), with the suggested reorder
    quantity (``InventoryItem.suggested_reorder_quantity``'s rule) and its estimated cost per item and per
    group. One query whatever the number of items; plain rows, no model instances (bench/inventory.py)."""
    columns = (
        "pk",
        "makerspace_id",
        "sku",
        "name",
        "unit",
        "quantity",
        "reorder_level",
        "reorder_quantity",
        "unit_cost",
        "store_sku",
        "location",
        "supplier",
        "supplier_name",
        "currency",
    )
    rows = low_stock_items(user=user, makerspace_id=makerspace_id).select_related(None).values_list(*columns)
    groups: dict[tuple, dict] = {}
    totals: dict[tuple, Decimal] = defaultdict(Decimal)
    for pk, space, sku, name, unit, quantity, level, reorder, cost, store_sku, location, supplier, vendor, cur in rows:
        key = (supplier, vendor if supplier == InventoryItem.Supplier.EXTERNAL else "", cur)
        suggested = suggested_reorder_quantity(level, reorder).quantize(THOUSANDTH)
        estimated = quantize_money(suggested * cost)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {"supplier": key[0], "supplier_name": key[1], "currency": key[2], "items": []}
        group["items"].append(
            {
                "id": pk,
                "makerspace": space,
                "sku": sku,
                "name": name,
                "unit": unit,
                "quantity": quantity,
                "reorder_level": level,
                "suggested_reorder_quantity": suggested,
                "unit_cost": cost,
                "estimated_cost": estimated,
                "store_sku": store_sku,
                "location": location,
            }
        )
        totals[key] += estimated
    for key, group in groups.items():
        group["estimated_total"] = quantize_money(totals[key])
    return list(groups.values())


def store_reorder_lines(*, user, makerspace_id: int) -> list[dict]:
    """What a quick reorder asks the store for: store-supplied low items with a store SKU, as ``{sku, quantity}``
    (the bridge turns these into a cart; quantities round up to whole store units)."""
    lines = []
    for item in (
        low_stock_items(user=user, makerspace_id=makerspace_id)
        .filter(supplier=InventoryItem.Supplier.STORE)
        .exclude(store_sku="")
    ):
        quantity = item.suggested_reorder_quantity
        whole = int(quantity) + (0 if quantity == int(quantity) else 1)
        lines.append({"sku": item.store_sku, "quantity": whole, "item": item.pk})
    return lines
