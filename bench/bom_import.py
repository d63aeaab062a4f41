"""BOM import benchmark: a 1,000-line BOM parsed, mapped and stored against 100,000 products on PostgreSQL.

Not a test. Needs a migrated PostgreSQL database; the catalog is generated once with COPY (products whose SKU
starts with ``BOMB-``, their stock rows and LCSC-style supplier part numbers) and reused by later runs:

    createdb -h 127.0.0.1 -U postgres makrx_bom_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/makrx_bom_bench REDIS_URL=redis://127.0.0.1:6379/2 \
           CELERY_TASK_ALWAYS_EAGER=true CELERY_BROKER_URL= LOG_LEVEL=WARNING
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/bom_import.py --products 100000 --lines 1000 --rounds 5

Measures the wall time of ``bom_import_create`` (the service the API calls: parse + map + store in one
transaction, production settings, no debug cursor) for a CSV BOM mixing the cases users send: exact MPNs,
LCSC numbers, MPNs with packaging suffixes, text-only lines (value + footprint) and MPNs the catalog does not hold
(the fuzzy path, the expensive one). Then, separately and with query capture on, the number of queries for BOMs of
``--lines`` and a tenth of it: the count must not grow with the lines. Target: under 2 s end to end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "makrx.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from makrx.models import User  # noqa: E402
from store.bom_parsing import parse_bom  # noqa: E402
from store.models import BomImport, Product  # noqa: E402
from store.partnumbers import normalize_mpn  # noqa: E402
from store.services.bom import bom_import_create  # noqa: E402
from store.services.bom_mapping import LineQuery, map_lines  # noqa: E402

PREFIX = "BOMB-"
PACKAGES = ["0201", "0402", "0603", "0805", "1206", "SOT-23", "SOIC-8", "QFN-32", "TSSOP-20", "SOD-123"]
FAMILIES = [
    ("RC", "Resistor", "Yageo", ["1k", "4.7k", "10k", "22k", "47k", "100k", "220R", "330R", "1M", "2.2k"]),
    ("GRM", "Capacitor MLCC", "Murata", ["100nF", "1uF", "10uF", "22pF", "4.7uF", "1nF", "10nF", "47pF"]),
    ("LM", "Linear regulator", "Texas Instruments", ["3.3V", "5V", "1.8V", "ADJ"]),
    ("STM", "Microcontroller", "STMicroelectronics", ["32KB", "64KB", "128KB", "256KB"]),
    ("BAT", "Schottky diode", "Nexperia", ["30V 1A", "40V 2A", "60V 3A"]),
    ("LED", "LED", "Kingbright", ["red", "green", "blue", "yellow", "white"]),
    ("SPH", "Power inductor", "Sunlord", ["2.2uH", "4.7uH", "10uH", "22uH"]),
    ("FTSH", "Connector header", "Samtec", ["2x5", "2x10", "1x6", "1x4"]),
]
SUFFIXES = "ABCDEFGHJKLMNPRSTUVWXYZ"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def scrambled(index: int) -> str:
    """A unique 6-character body per index that does not look sequential (real MPNs share few trigrams; zero-padded
    counters would give every product the trigrams "000" and "001" and flatter nothing)."""
    value = (index * 7_919_111 + 104_729) % (34**6)
    chars = []
    for _ in range(6):
        value, digit = divmod(value, 34)
        chars.append(ALPHABET[digit])
    return "".join(chars)


def product_row(index: int, rng: random.Random):
    prefix, kind, maker, values = FAMILIES[index % len(FAMILIES)]
    value, package = rng.choice(values), rng.choice(PACKAGES)
    mpn = f"{prefix}{scrambled(index)}{rng.choice(SUFFIXES)}{rng.choice(SUFFIXES)}"
    name = f"{kind} {value} {package}"
    description = f"{kind}, {value}, {package}, {maker} series {prefix}{index % 97}"
    return mpn, maker, name, description, value, package


def ensure_catalog(count: int) -> None:
    existing = Product.objects.filter(sku__startswith=PREFIX).count()
    if existing >= count:
        print(f"catalog: {existing} generated products already there")
        return
    started = time.perf_counter()
    rng = random.Random(14)
    now = timezone.now()
    columns = (
        "sku, slug, name, mpn, mpn_normalized, manufacturer, description, price, currency, attributes, images, "
        "datasheet_url, active, created_at, updated_at"
    )
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY store_product ({columns}) FROM STDIN") as copy:
            for index in range(existing, count):
                mpn, maker, name, description, _, _ = product_row(index, rng)
                copy.write_row(
                    (f"{PREFIX}{index:06d}", f"bomb-{index}", name, mpn, normalize_mpn(mpn), maker, description,
                     "0.25", "INR", "{}", "[]", "", True, now, now)
                )  # fmt: skip
        cursor.execute(
            "INSERT INTO store_stocklevel (product_id, on_hand, reserved, created_at, updated_at) "
            "SELECT id, 5000, 0, now(), now() FROM store_product p WHERE sku LIKE %s "
            "AND NOT EXISTS (SELECT 1 FROM store_stocklevel s WHERE s.product_id = p.id)",
            [f"{PREFIX}%"],
        )
        cursor.execute(
            "INSERT INTO store_supplierpartnumber (product_id, supplier, part_number, part_number_normalized, "
            "created_at, updated_at) SELECT id, 'LCSC', 'C' || substr(sku, 6), 'C' || substr(sku, 6), now(), now() "
            "FROM store_product p WHERE sku LIKE %s AND NOT EXISTS "
            "(SELECT 1 FROM store_supplierpartnumber s WHERE s.product_id = p.id)",
            [f"{PREFIX}%"],
        )
    # As autovacuum would after a bulk load: GIN's pending list merged (a search scans it linearly otherwise).
    with connection.cursor() as cursor:
        for table in ("store_product", "store_stocklevel", "store_supplierpartnumber"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"catalog: generated {count - existing} products in {time.perf_counter() - started:.1f} s")


def bom_csv(lines: int, catalog: int, seed: int) -> bytes:
    """40 % exact MPN, 20 % LCSC number, 10 % MPN + packaging suffix, 15 % text only, 15 % MPN not stocked."""
    rng = random.Random(seed)
    gen = random.Random(14)
    rows = ["Reference,Qty,MPN,Manufacturer,LCSC,Value,Footprint"]
    known = {}
    wanted = sorted(rng.sample(range(catalog), lines))
    cursor_index = 0
    for index in range(max(wanted) + 1):
        row = product_row(index, gen)
        if cursor_index < len(wanted) and index == wanted[cursor_index]:
            known[index] = row
            cursor_index += 1
    for number, index in enumerate(wanted, start=1):
        mpn, maker, _, _, value, package = known[index]
        kind = rng.random()
        reference = f"U{number}"
        if kind < 0.40:
            rows.append(f"{reference},1,{mpn},{maker},,{value},{package}")
        elif kind < 0.60:
            rows.append(f"{reference},2,,,C{index:06d},{value},{package}")
        elif kind < 0.70:
            rows.append(f"{reference},1,{mpn}-TR,{maker},,{value},{package}")
        elif kind < 0.85:
            rows.append(f"{reference},4,,,,{value},{package}")
        else:
            rows.append(f"{reference},1,XQ{scrambled(index + 500_000)}ZZ,{maker},,{value},{package}")
    return ("\n".join(rows) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the imports the run stores")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL (DATABASE_URL).")
    ensure_catalog(args.products)
    user, _ = User.objects.get_or_create(username="bom-bench", defaults={"keycloak_sub": "sub-bom-bench"})
    data = bom_csv(args.lines, args.products, seed=1)
    print(f"BOM: {args.lines} lines, {len(data)} bytes; catalog {Product.objects.count()} products")

    parsed = parse_bom(data, max_lines=5000, max_uncompressed=50 << 20)
    queries = [LineQuery(mpn=x.mpn, manufacturer=x.manufacturer, supplier_part=x.supplier_part, value=x.value,
                         footprint=x.footprint) for x in parsed.lines]  # fmt: skip
    parse_times, map_times, total_times, created = [], [], [], []
    for _ in range(args.rounds):
        started = time.perf_counter()
        parse_bom(data, max_lines=5000, max_uncompressed=50 << 20)
        parse_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        map_lines(queries)
        map_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        bom_import = bom_import_create(actor=user, cart_token=None, file_name="bench.csv", data=data)
        total_times.append(time.perf_counter() - started)
        created.append(bom_import.pk)
    summary = BomImport.objects.get(pk=created[-1]).summary
    print(f"summary: {summary}")

    def line(label, values):
        print(f"  {label:34s} median {statistics.median(values) * 1000:8.1f} ms   "
              f"min {min(values) * 1000:8.1f}   max {max(values) * 1000:8.1f}")  # fmt: skip

    print(f"wall time over {args.rounds} rounds:")
    line("parse only", parse_times)
    line("map only (3 stages)", map_times)
    line("bom_import_create (parse+map+store)", total_times)

    counts = {}
    for size in (max(1, args.lines // 10), args.lines):
        small = bom_csv(size, args.products, seed=2)
        with CaptureQueriesContext(connection) as context:
            bom_import = bom_import_create(actor=user, cart_token=None, file_name="count.csv", data=small)
        counts[size] = len(context)
        created.append(bom_import.pk)
    print("queries per import: " + ", ".join(f"{size} lines: {n}" for size, n in counts.items()))
    if not args.keep:
        BomImport.objects.filter(pk__in=created).delete()


if __name__ == "__main__":
    main()
