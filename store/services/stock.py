"""Stock writes: staff counting what is on the shelf, and the stock effects of orders (reserve at checkout,
release, sell on payment, return on cancel/refund).

Order effects run inside the caller's transaction; every function locks the stock rows it touches in
product-id order (the same order checkout uses), so two orders touching the same products never deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F

from makrx.errors import ConflictError, ValidationError
from store.catalog_cache import catalog_cache_invalidate
from store.models import Product, StockLevel, StockMovement
from store.services import actor_user, require_store_staff


@transaction.atomic
def stock_set_on_hand(*, actor, product: Product, on_hand: int, note: str = "") -> StockLevel:
    """Set the counted on-hand units (store staff). Refused (409 ``below_reserved``) under what open orders reserve."""
    require_store_staff(actor, action="change stock")
    if on_hand < 0:
        raise ValidationError("Stock cannot be negative.", errors={"on_hand": ["Must be zero or more."]})
    StockLevel.objects.get_or_create(product_id=product.pk)
    # Lock the row: a concurrent checkout may be reserving from it right now.
    level = StockLevel.objects.select_for_update().get(product_id=product.pk)
    if on_hand < level.reserved:
        raise ConflictError(
            f"{level.reserved} units are reserved by open orders; on hand cannot go below that.",
            code="below_reserved",
        )
    delta = on_hand - level.on_hand
    if delta:
        level.on_hand = on_hand
        level.save(update_fields=["on_hand", "updated_at"])
        StockMovement.objects.create(
            product_id=product.pk,
            kind=StockMovement.Kind.ADJUSTMENT,
            on_hand_delta=delta,
            on_hand_after=level.on_hand,
            reserved_after=level.reserved,
            actor=actor_user(actor),
            note=note[:255],
        )
        catalog_cache_invalidate()
    return level


def stock_lock(*, product_ids: Iterable[int]) -> dict[int, StockLevel]:
    """Lock the stock rows of these products (ascending product id) and return them by product id."""
    ids = sorted(set(product_ids))
    levels = StockLevel.objects.select_for_update().filter(product_id__in=ids).order_by("product_id")
    return {level.product_id: level for level in levels}


def stock_apply(
    *, quantities: dict[int, int], kind: str, on_hand_sign: int, reserved_sign: int, order=None, actor=None
) -> None:
    """Apply ``quantity * sign`` to on_hand/reserved of each product (rows locked first), one movement each.

    The database check constraints (on_hand >= 0, 0 <= reserved <= on_hand) are the last line of defence.
    """
    if not quantities:
        return
    levels = stock_lock(product_ids=quantities.keys())
    for product_id in sorted(quantities):
        level = levels.get(product_id)
        if level is None:  # product deleted since: nothing to put back
            continue
        quantity = quantities[product_id]
        on_hand_delta = on_hand_sign * quantity
        reserved_delta = reserved_sign * quantity
        StockLevel.objects.filter(product_id=product_id).update(
            on_hand=F("on_hand") + on_hand_delta, reserved=F("reserved") + reserved_delta
        )
        StockMovement.objects.create(
            product_id=product_id,
            kind=kind,
            on_hand_delta=on_hand_delta,
            reserved_delta=reserved_delta,
            on_hand_after=level.on_hand + on_hand_delta,
            reserved_after=level.reserved + reserved_delta,
            order=order,
            actor=actor_user(actor),
        )
    catalog_cache_invalidate()
