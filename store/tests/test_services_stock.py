"""stock_set_on_hand against concurrent reservations: real threads on PostgreSQL, separate connections."""

import threading

import pytest
from django.db import connection, transaction
from django.db.models import F

from makrx.errors import ConflictError
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
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def reserver():
        try:
            barrier.wait()
            ok = _reserve(product.pk, 2)
            with lock:
                outcomes.append("reserved" if ok else "sold_out")
        finally:
            connection.close()

    def counter(value: int):
        try:
            barrier.wait()
            stock_set_on_hand(actor=SYSTEM, product=product, on_hand=value)
            with lock:
                outcomes.append("set")
        except ConflictError as exc:
            with lock:
                outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=reserver) for _ in range(15)]
    threads += [threading.Thread(target=counter, args=(value,)) for value in (4, 8, 12, 30, 6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    level = StockLevel.objects.get(product=product)
    assert 0 <= level.reserved <= level.on_hand
    assert level.reserved == 2 * outcomes.count("reserved")
    assert len(outcomes) == 20 and set(outcomes) <= {"reserved", "sold_out", "set", "below_reserved"}
    # Every accepted count left a movement whose "after" figures were valid when written.
    for movement in StockMovement.objects.filter(product=product):
        assert 0 <= movement.reserved_after <= movement.on_hand_after
