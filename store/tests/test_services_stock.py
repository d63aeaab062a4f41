"""stock_set_on_hand against concurrent reservations: real threads on PostgreSQL, separate connections."""

import pytest
from django.db import connection, transaction
from django.db.models import F

from makrx.errors import ConflictError
from makrx.tests.races import run_concurrently
from store.models import StockLevel, StockMovement
from store.services import SYSTEM
from store.services.stock import stock_set_on_hand
from store.tests.factories import ProductFactory


def _reserve(product_id: int, quantity: int) -> bool:
    """What checkout does: a guarded update that only reserves what is available."""
    with transaction.atomic():
        return bool(
            StockLevel.objects.filter(product_id=product_id, on_hand__gte=F("reserved") + quantity).update(
                reserved=F("reserved") + quantity
            )
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_counting_stock_while_customers_reserve_never_breaks_the_invariants():
    product = ProductFactory(stock=20)
    counts = (4, 8, 12, 30, 6)

    def reserve_or_count(index: int) -> str:
        # 15 customers reserve 2 each while 5 stock counts set on-hand figures.
        if index < 15:
            return "reserved" if _reserve(product.pk, 2) else "sold_out"
        try:
            stock_set_on_hand(actor=SYSTEM, product=product, on_hand=counts[index - 15])
        except ConflictError as exc:
            return exc.code
        return "set"

    outcomes = run_concurrently(reserve_or_count, 15 + len(counts), reraise=True)

    level = StockLevel.objects.get(product=product)
    assert 0 <= level.reserved <= level.on_hand
    assert level.reserved == 2 * outcomes.count("reserved")
    assert len(outcomes) == 20 and set(outcomes) <= {"reserved", "sold_out", "set", "below_reserved"}
    # Every accepted count left a movement whose "after" figures were valid when written.
    for movement in StockMovement.objects.filter(product=product):
        assert 0 <= movement.reserved_after <= movement.on_hand_after
