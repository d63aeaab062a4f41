"""Stock writes done by staff: counting what is on the shelf. (Reservations belong to checkout.)"""

from __future__ import annotations

from django.db import transaction

from makrx.errors import ConflictError, ValidationError
from store.catalog_cache import catalog_cache_invalidate
from store.models import Product, StockLevel, StockMovement


@transaction.atomic
def stock_set_on_hand(*, product: Product, on_hand: int, actor=None, note: str = "") -> StockLevel:
    """Set the counted on-hand units. Refused (409 ``below_reserved``) under what open orders reserve."""
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
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            note=note[:255],
        )
        catalog_cache_invalidate()
    return level
