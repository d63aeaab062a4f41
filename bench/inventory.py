"""Inventory benchmark: ledger writes per second on one hot item, and the low-stock list over a large stock.

Not a test. Needs a migrated PostgreSQL database (it creates makerspaces, users and items named ``bench-inv-*``
and removes them at the end unless --keep):

    createdb -h 127.0.0.1 -U postgres makrx_inv_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/makrx_inv_bench CELERY_TASK_ALWAYS_EAGER=true
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/inventory.py --writers 8 --writes 200 --items 50000 --movements 1000000

Measures (1) movements/s through ``movement_record`` (the service the API calls: actor checked, item row
locked, guarded UPDATE, ledger row appended, one transaction each) on ONE item, with 1 writer and with
``--writers`` threads on separate connections; every write contends for the same row lock, which is the
worst case; (2) ``GET /api/v1/makerspace/inventory/low-stock/?makerspace=`` (selector, grouping and JSON
rendering, in-process through the DRF view) over ``--items`` items holding ``--movements`` ledger rows, loaded
with COPY in a couple of minutes. DEBUG is off, as in production.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "makrx.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from makerspace.models import InventoryItem, Makerspace, Member, StockMovement  # noqa: E402
from makerspace.selectors.inventory import low_stock_grouped  # noqa: E402
from makerspace.services import inventory as inventory_services  # noqa: E402
from makrx.models import User  # noqa: E402

settings.DEBUG = False
settings.ALLOWED_HOSTS = ["*"]
TAG = f"bench-inv-{os.getpid()}"


def setup():
    space = Makerspace.objects.create(name=f"{TAG} space", slug=TAG, timezone="UTC")
    staff = User.objects.create_user(username=f"{TAG}-staff", email=f"{TAG}@example.test")
    Member.objects.create(user=staff, makerspace=space, role="staff", status="active")
    return space, staff


def ledger_writes(space, staff, *, writers: int, writes: int) -> dict:
    item = inventory_services.item_create(
        actor=staff, makerspace=space, sku=f"{TAG}-HOT-{writers}", name="hot item", quantity="1000000"
    )
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            barrier.wait()
            for n in range(writes):
                kind = "usage" if (n + index) % 2 else "restock"
                inventory_services.movement_record(actor=staff, item=item, kind=kind, quantity="1", reason="bench")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(writers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    item.refresh_from_db()
    ledger_sum = sum(StockMovement.objects.filter(item=item).values_list("quantity", flat=True))
    assert item.quantity == ledger_sum, "ledger invariant broken"
    total = writers * writes
    return {"writers": writers, "writes": total, "seconds": round(elapsed, 2), "per_second": round(total / elapsed)}


def load_stock(space, *, items: int, movements: int, low_share: float) -> int:
    """``items`` items and ``movements`` ledger rows (each item's rows chain before → after), loaded with COPY."""
    rng = random.Random(7)
    per_item = max(1, movements // items)
    now = timezone.now()
    suppliers = [("store", ""), ("external", "Acme"), ("external", "Filamentworks"), ("external", "Sheetco")]
    item_buffer = io.StringIO()
    plans = []
    for n in range(items):
        low = rng.random() < low_share
        level = Decimal(rng.randint(5, 50))
        final = Decimal(rng.randint(0, int(level))) if low else level + rng.randint(1, 500)
        supplier, name = suppliers[n % len(suppliers)]
        plans.append((n, final))
        item_buffer.write(
            "\t".join(
                [
                    str(space.pk),
                    f"{TAG}-{n:06d}",
                    f"Bench item {n}",
                    "bench",
                    "piece",
                    "",
                    supplier,
                    name,
                    "1.50",
                    "INR",
                    str(final),
                    str(level),
                    "\\N",
                    "basic",
                    f"ST-{n}" if supplier == "store" else "",
                    "t",
                    "\\N",
                    now.isoformat(),
                    now.isoformat(),
                ]
            )
            + "\n"
        )
    columns = (
        "makerspace_id, sku, name, category, unit, location, supplier, supplier_name, unit_cost, currency, "
        "quantity, reorder_level, reorder_quantity, access_level, store_sku, active, low_stock_notified_at, "
        "created_at, updated_at"
    )
    with connection.cursor() as cursor, cursor.copy(f"COPY makerspace_inventoryitem ({columns}) FROM STDIN") as copy:
        copy.write(item_buffer.getvalue())
    ids = dict(InventoryItem.objects.filter(makerspace=space).exclude(sku__contains="-HOT-").values_list("sku", "pk"))
    rows = 0
    chunk = io.StringIO()
    movement_columns = (
        "item_id, makerspace_id, kind, quantity, quantity_before, quantity_after, counted_quantity, reason, "
        "reference, transfer_group, actor_id, created_at"
    )

    def flush(buffer: io.StringIO) -> None:
        sql = f"COPY makerspace_stockmovement ({movement_columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            copy.write(buffer.getvalue())

    for n, final in plans:
        item_id = ids[f"{TAG}-{n:06d}"]
        draws = [Decimal(rng.randint(1, 5)) for _ in range(per_item - 1)]
        opening = final + sum(draws)
        running = Decimal(0)
        steps = [("restock", opening), *[("usage", -d) for d in draws]]
        for index, (kind, delta) in enumerate(steps):
            before, running = running, running + delta
            stamp = now.replace(microsecond=0) - (len(steps) - index) * timezone.timedelta(hours=1)
            chunk.write(
                f"{item_id}\t{space.pk}\t{kind}\t{delta}\t{before}\t{running}\t\\N\tbench\t\t\\N\t\\N\t{stamp.isoformat()}\n"
            )
            rows += 1
        if chunk.tell() > 8_000_000:
            flush(chunk)
            chunk = io.StringIO()
    flush(chunk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE makerspace_inventoryitem")
        cursor.execute("ANALYZE makerspace_stockmovement")
    return rows


def time_low_stock(space, staff, *, repeat: int) -> dict:
    client = APIClient()
    client.force_authenticate(user=staff)
    url = "/api/v1/makerspace/inventory/low-stock/"
    response = client.get(url, {"makerspace": space.pk}, HTTP_HOST="localhost")
    assert response.status_code == 200, response.content[:500]
    low = response.json()["count"]
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url, {"makerspace": space.pk}, HTTP_HOST="localhost")
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    selector = []
    for _ in range(repeat):
        started = time.perf_counter()
        low_stock_grouped(user=staff, makerspace_id=space.pk)
        selector.append((time.perf_counter() - started) * 1000)
    return {
        "selector_median_ms": round(statistics.median(selector), 1),
        "low_items": low,
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 1),
        "min_ms": round(samples[0], 1),
    }


def cleanup(space, staff) -> None:
    with connection.cursor() as cursor:
        # The ledger refuses DELETE (append-only trigger); a bench database's owner lifts it for the cleanup only.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM makerspace_stockmovement WHERE makerspace_id = %s", [space.pk])
        cursor.execute("SET session_replication_role = DEFAULT")
    InventoryItem.objects.filter(makerspace=space).delete()
    Member.objects.filter(makerspace=space).delete()
    space.delete()
    staff.delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--writes", type=int, default=200, help="movements per writer")
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--low-share", type=float, default=0.02, help="share of items at or under their level")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("the benchmark needs PostgreSQL (DATABASE_URL)")
    space, staff = setup()
    try:
        print("ledger, 1 writer:", ledger_writes(space, staff, writers=1, writes=args.writes), flush=True)
        print(
            f"ledger, {args.writers} writers:",
            ledger_writes(space, staff, writers=args.writers, writes=args.writes),
            flush=True,
        )
        started = time.perf_counter()
        rows = load_stock(space, items=args.items, movements=args.movements, low_share=args.low_share)
        print(f"loaded {args.items} items and {rows} ledger rows in {time.perf_counter() - started:.0f} s", flush=True)
        print("low-stock:", time_low_stock(space, staff, repeat=args.repeat), flush=True)
    finally:
        if not args.keep:
            cleanup(space, staff)


if __name__ == "__main__":
    main()
