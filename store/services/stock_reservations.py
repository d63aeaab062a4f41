"""Stock effects of orders: reserve at checkout, release, sell on payment, return on cancel/refund.

Callers hold a transaction; every function locks the stock rows it touches in product-id order (the same
order checkout uses), so two orders touching the same products never deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F

from store.catalog_cache import catalog_cache_invalidate
from store.models import StockLevel, StockMovement


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
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
    catalog_cache_invalidate()
