"""Store catalog benchmark: requests/s of catalog reads next to a bare DRF endpoint, behind gunicorn.

Not a test. Prepare a database once (PostgreSQL), then run this script; it starts gunicorn twice on the
same database (catalog cache on, then off), measures each endpoint for a fixed time with several client
processes, and prints a table (and JSON with --json).

    createdb makrx_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/makrx_bench REDIS_URL=redis://127.0.0.1:6379/4
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed --only store --store-scale 100000
    .venv/bin/python bench/store_catalog.py --duration 10 --clients 8

Targets: cached product list >= 40 % of the bare endpoint's rate; uncached >= 10 %;
the category tree with counts for ~1,000 categories under 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BARE = "/api/v1/utils/health-check"
SEARCH_TERMS = [
    "stepper driver",
    "TPS5412",
    "buck converter",
    "capacitor",
    "LDO",
    "STM32F0",
    "mosfet switch",
    "AMS1117",
]


def _worker(host: str, port: int, paths: list[str], duration: float, offset: int) -> tuple[int, int, list[float]]:
    """One client process: keep-alive requests round-robin over ``paths`` for ``duration`` seconds."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    done = errors = 0
    latencies: list[float] = []
    deadline = time.perf_counter() + duration
    i = offset
    while time.perf_counter() < deadline:
        path = paths[i % len(paths)]
        i += 1
        start = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Accept": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            continue
        latencies.append((time.perf_counter() - start) * 1000)
        done += 1
    conn.close()
    return done, errors, latencies


def measure(host: str, port: int, paths: list[str], *, duration: float, clients: int) -> dict:
    with ProcessPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(_worker, host, port, paths, duration, n) for n in range(clients)]
        results = [f.result() for f in futures]
    done = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    latencies = sorted(x for r in results for x in r[2])
    return {
        "rps": round(done / duration, 1),
        "errors": errors,
        "p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 2) if latencies else None,
    }


def sequential_latency(host: str, port: int, paths: list[str], *, n: int) -> dict:
    """One client, ``n`` requests round-robin over ``paths``: latency without queueing."""
    latencies: list[float] = []
    conn = http.client.HTTPConnection(host, port, timeout=30)
    for i in range(n):
        start = time.perf_counter()
        conn.request("GET", paths[i % len(paths)])
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - start) * 1000)
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
    conn.close()
    latencies.sort()
    return {
        "mean_ms": round(statistics.mean(latencies), 2),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 2),
    }


def wait_ready(host: str, port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not become ready")


def start_gunicorn(port: int, *, cache_seconds: int, workers: int, threads: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "STORE_CATALOG_CACHE_SECONDS": str(cache_seconds),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_LOG_LEVEL": "warning",
        "RATELIMIT_ENABLE": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    return subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py", "makrx.wsgi"], cwd=ROOT, env=env)


def catalog_paths() -> dict[str, list[str]]:
    """URLs for each scenario, from the seeded database (mid-level bench categories: ~1 % of products each)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "makrx.settings")
    import django

    django.setup()
    from store.models import Category

    mids = list(Category.objects.filter(slug__startswith="bench-mid-").order_by("path").values_list("slug", flat=True))
    if not mids:
        raise SystemExit("No generated catalog: run `manage.py seed --only store --store-scale N` first.")
    categories = mids[:: max(1, len(mids) // 20)][:20]
    product = "/api/v1/store/products/?"
    return {
        "bare DRF endpoint": [BARE],
        "product list (50/page, category)": [
            product + urlencode({"category": slug, "page_size": 50, "page": page})
            for page in (1, 2)
            for slug in categories
        ],
        "search (50/page)": [product + urlencode({"search": term, "page_size": 50}) for term in SEARCH_TERMS],
        "category tree with counts": ["/api/v1/store/categories/?include_product_counts=true"],
    }


def tree_size() -> int:
    from store.models import Category

    return Category.objects.count()


def tree_in_process(n: int = 20) -> dict:
    """The selector alone (two queries + roll-up), without HTTP or rendering."""
    from django.db import connection

    from store.selectors.catalog import category_tree

    timings = []
    for _ in range(n):
        start = time.perf_counter()
        category_tree(include_product_counts=True)
        timings.append((time.perf_counter() - start) * 1000)
    connection.close()
    timings.sort()
    return {"mean_ms": round(statistics.mean(timings), 2), "p50_ms": round(statistics.median(timings), 2)}


def run_phase(label: str, *, port: int, cache_seconds: int, args, scenarios) -> dict:
    server = start_gunicorn(port, cache_seconds=cache_seconds, workers=args.workers, threads=args.threads)
    try:
        wait_ready("127.0.0.1", port)
        results = {}
        for name, paths in scenarios.items():
            # Warm-up: every URL once (fills the cache when it is on), then the workers' connections.
            sequential_latency("127.0.0.1", port, paths, n=len(paths))
            measure("127.0.0.1", port, paths, duration=1.0, clients=args.clients)
            results[name] = measure("127.0.0.1", port, paths, duration=args.duration, clients=args.clients)
            print(f"  [{label}] {name}: {results[name]}", flush=True)
        results["tree latency (1 client)"] = sequential_latency(
            "127.0.0.1", port, scenarios["category tree with counts"], n=args.latency_samples
        )
        print(f"  [{label}] tree latency: {results['tree latency (1 client)']}", flush=True)
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency-samples", type=int, default=50)
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()

    scenarios = catalog_paths()
    categories = tree_size()
    in_process = tree_in_process()
    print(f"category tree with counts, selector in-process: {in_process}")
    print(f"catalog: {categories} categories; gunicorn {args.workers}x{args.threads}, {args.clients} clients")
    cached = run_phase("cached", port=args.port, cache_seconds=300, args=args, scenarios=scenarios)
    uncached = run_phase("uncached", port=args.port + 1, cache_seconds=0, args=args, scenarios=scenarios)

    print()
    print(f"{'endpoint':36} {'cached rps':>11} {'% bare':>7} {'uncached rps':>13} {'% bare':>7} {'p50 ms (unc.)':>14}")
    for name in scenarios:
        c, u = cached[name], uncached[name]
        c_pct = 100 * c["rps"] / cached["bare DRF endpoint"]["rps"]
        u_pct = 100 * u["rps"] / uncached["bare DRF endpoint"]["rps"]
        print(f"{name:36} {c['rps']:>11} {c_pct:>6.0f}% {u['rps']:>13} {u_pct:>6.0f}% {u['p50_ms']:>14}")
    print(f"tree with counts, single client, uncached: {uncached['tree latency (1 client)']}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"categories": categories, "tree_in_process": in_process, "cached": cached, "uncached": uncached},
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
