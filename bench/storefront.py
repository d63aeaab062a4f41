"""Store front benchmark: what shoppers open, uncached and cached, at 100,000 products, under the production
gunicorn settings, each rate next to the trivial endpoint's in the same run. Not a test: it prints figures.

One command (a seeded PostgreSQL database in DATABASE_URL; bench/README.md says how to seed it):

    .venv/bin/python bench/storefront.py --json /tmp/storefront.json            # ~15 min
    .venv/bin/python bench/storefront.py --quick                                 # < 5 min
    .venv/bin/python bench/storefront.py --small-database-url postgres://.../makrx_store_bench_10k   # + 10k vs 100k

What it does, against one gunicorn started from ``gunicorn.conf.py`` with its defaults (only the bind address
and the catalog cache lifetime are set; nothing of the server is turned off):

1. the trivial endpoint (``/api/v1/utils/health-check``) under the production defaults and under 2 plain sync
   workers, alternated (A B A B) so drift on a shared machine shows;
2. every scenario with the catalog cache off (``STORE_CATALOG_CACHE_SECONDS=0``), then on (each URL requested
   once first), with ``wrk`` (16 connections, a Lua script cycling through each scenario's URLs), the trivial
   endpoint measured in the same phase;
   (the trivial endpoint is measured again right before each scenario and the ratio taken against that);
3. single-client latency (no queueing) per scenario, page 1 against deep pages, and the same URLs on a 10k
   catalog when ``--small-database-url`` is given;
4. the workers' resident memory before and after, since the defaults no longer recycle workers.

The load average is printed next to every figure: on a shared machine only ratios within a run mean something.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

import loadgen  # bench/loadgen.py (the script's folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL = "/api/v1/utils/health-check"
PRODUCTS = "/api/v1/store/products/"
SEARCH_COMMON = ["capacitor", "regulator", "diode", "mosfet"]
SEARCH_PARTIAL_MPN = ["TPS54", "GRM188", "STM32F", "AMS1117", "LM3", "SN65HVD"]
PLAIN_SYNC = {"GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "1", "GUNICORN_MAX_REQUESTS": "0"}
# What gunicorn.conf.py shipped before issue #17 (2 x CPU + 1 workers on 2 CPUs, recycling at 2,000 requests).
PREVIOUS = {"GUNICORN_WORKERS": "5", "GUNICORN_THREADS": "4", "GUNICORN_MAX_REQUESTS": "2000"}


def _setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "makrx.settings")
    import django

    django.setup()


def scenarios() -> dict[str, list[str]]:
    """Each scenario's URLs, from the seeded catalog (bench categories, brands, tags, products)."""
    _setup_django()
    from django.db import connection

    from makrx.api.pagination import cursor_encode
    from store.models import Category, Product

    mids = list(Category.objects.filter(slug__startswith="bench-mid-").order_by("path").values_list("slug", flat=True))
    if not mids:
        raise SystemExit("No generated catalog: run `manage.py seed --only store --store-scale N` first.")
    active = Product.objects.filter(active=True)
    total = active.count()

    def cursor_at(ordering: str, fields: tuple[str, ...], position: int) -> str:
        row = active.order_by(*fields).values_list(*[f.lstrip("-") for f in fields])[position]
        return cursor_encode(ordering=ordering, key=[str(value) for value in row])

    deep = total // 2
    slugs = list(active.order_by("id").values_list("slug", flat=True)[:: max(1, total // 20)][:20])
    connection.close()

    def products(**params) -> str:
        return PRODUCTS + "?" + urlencode({"page_size": 50, **params})

    return {
        "trivial endpoint": [TRIVIAL],
        "all products, page 1": [products()],
        "newest first": [products(ordering="-created_at")],
        "price, low to high": [products(ordering="price")],
        "price, high to low": [products(ordering="-price")],
        "popularity": [products(ordering="popularity")],
        "brand + in stock, by price": [
            products(brand=f"bench-brand-{i:03d}", in_stock="true", ordering="price") for i in range(0, 50, 5)
        ],
        "tag + price range": [products(tag=f"bench-tag-{i:02d}", min_price=10, max_price=500) for i in range(0, 30, 3)],
        "deep page by cursor (middle)": [
            products(cursor=cursor_at("name", ("name", "id"), deep)),
            products(cursor=cursor_at("-price", ("-price", "-id"), deep), ordering="-price"),
        ],
        "deep page by number (middle)": [products(page=deep // 50)],
        "category subtree (~1,000)": [products(category=slug) for slug in mids[:: max(1, len(mids) // 20)][:20]],
        "search, common word": [products(search=term) for term in SEARCH_COMMON],
        "search, partial MPN": [products(search=term) for term in SEARCH_PARTIAL_MPN],
        "category tree with counts": ["/api/v1/store/categories/?include_product_counts=true"],
        "product detail": [f"{PRODUCTS}{slug}/" for slug in slugs],
    }


load = loadgen.load


def start_server(port: int, *, cache_seconds: int, extra: dict | None = None, database_url: str | None = None):
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "STORE_CATALOG_CACHE_SECONDS": str(cache_seconds),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        **(extra or {}),
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = open(tempfile.mkstemp(prefix="storefront-gunicorn-", suffix=".log")[1], "w")  # noqa: SIM115
    server = subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py"], cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"gunicorn did not become ready (log: {log.name})")


def stop_server(server) -> None:
    server.terminate()
    server.wait(timeout=60)


def workers_rss_mb(server) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master), MB."""
    sizes = []
    for child in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split():
        status = Path(f"/proc/{child}/status").read_text()
        sizes.append(round(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024, 1))
    return sizes


def _lua(paths: list[str]) -> str:
    items = ", ".join(json.dumps(path) for path in paths)
    return (
        f"local paths = {{{items}}}\nlocal i = 0\n"
        "request = function()\n  i = i + 1\n  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n"
    )


def wrk(port: int, paths: list[str], *, duration: float, connections: int) -> dict:
    return loadgen.run(port, _lua(paths), duration=duration, connections=connections)


def single_client(port: int, paths: list[str], *, n: int) -> dict:
    """One keep-alive client, ``n`` requests cycling over ``paths`` (after one warm-up round): no queueing."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    timings = []
    for i in range(n + len(paths)):
        path = paths[i % len(paths)]
        start = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        if i >= len(paths):
            timings.append((time.perf_counter() - start) * 1000)
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
    conn.close()
    return {"p50_ms": round(statistics.median(timings), 2), "load": load()}


def x_cache(port: int, paths: list[str]) -> str:
    """How the server answered each path once (its ``X-Cache`` header), e.g. ``hit 10/10``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    hits = 0
    for path in paths:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        hits += response.getheader("X-Cache") == "hit"
    conn.close()
    return f"hit {hits}/{len(paths)}"


def server_settings(args) -> dict:
    """The trivial endpoint: production defaults against 2 plain sync workers (and the previous defaults),
    alternated round by round; the summary is each one's median."""
    contestants = [("production defaults", {}), ("2 sync workers", PLAIN_SYNC)]
    if args.previous_defaults:
        contestants.append(("previous defaults (5 x 4, recycling at 2000)", PREVIOUS))
    results: dict[str, list[dict]] = {label: [] for label, _ in contestants}
    for round_ in range(args.rounds):
        for label, extra in contestants:
            server = start_server(args.port, cache_seconds=0, extra=extra)
            try:
                wrk(args.port, [TRIVIAL], duration=2, connections=args.connections)  # warm-up
                result = wrk(args.port, [TRIVIAL], duration=args.duration, connections=args.connections)
            finally:
                stop_server(server)
            results[label].append(result)
            print(f"  trivial, {label} (round {round_ + 1}): {result}", flush=True)
    medians = {label: statistics.median(r["rps"] for r in runs) for label, runs in results.items()}
    ratio = round(medians["production defaults"] / medians["2 sync workers"], 3)
    print(f"  medians: {medians}; production defaults / 2 sync workers = {ratio}", flush=True)
    return {"runs": results, "median_rps": medians, "ratio": ratio}


# The server settings the issue asks to compare, each against gunicorn.conf.py's defaults (2 gthread workers x 4
# threads on 2 CPUs, keep-alive 5 s, a connection closed after 100 requests, backlog 2048, CONN_MAX_AGE 60).
MATRIX = [
    ("defaults", {}),
    ("2 sync workers", PLAIN_SYNC),
    ("4 sync workers", {**PLAIN_SYNC, "GUNICORN_WORKERS": "4"}),
    ("2 gthread x 2 threads", {"GUNICORN_THREADS": "2"}),
    ("2 gthread x 8 threads", {"GUNICORN_THREADS": "8"}),
    ("3 gthread x 4 threads", {"GUNICORN_WORKERS": "3"}),
    ("keep-alive off", {"GUNICORN_KEEPALIVE": "0"}),
    ("kept-alive connections never closed", {"GUNICORN_KEEPALIVE_REQUESTS": "0"}),
    ("kept-alive connections closed after 1000", {"GUNICORN_KEEPALIVE_REQUESTS": "1000"}),
    ("backlog 64", {"GUNICORN_BACKLOG": "64"}),
    ("CONN_MAX_AGE 0 (a connection per request)", {"CONN_MAX_AGE": "0"}),
    ("psycopg pool (DB_POOL_SIZE 4)", {"DB_POOL_SIZE": "4"}),
]


def server_matrix(args, urls: dict[str, list[str]]) -> dict:
    """Each configuration of ``MATRIX`` (``--only`` picks some by label prefix), uncached: the trivial endpoint, page 1
    of all products and the tag + price range list, in alternated rounds; the summary is each figure's median."""
    chosen = [(label, extra) for label, extra in MATRIX if not args.only or label.startswith(tuple(args.only))]
    if args.worker_class:
        chosen.append((f"{args.worker_class} worker class", {"GUNICORN_WORKER_CLASS": args.worker_class}))
    measured = ["trivial endpoint", "all products, page 1", "tag + price range"]
    runs: dict[str, dict[str, list[dict]]] = {label: {name: [] for name in measured} for label, _ in chosen}
    for round_ in range(args.rounds):
        for label, extra in chosen:
            server = start_server(args.port, cache_seconds=0, extra=extra)
            try:
                for name in measured:
                    wrk(args.port, urls[name], duration=2, connections=args.connections)  # warm-up
                    result = wrk(args.port, urls[name], duration=args.duration, connections=args.connections)
                    runs[label][name].append(result)
                    print(f"  {label} (round {round_ + 1}) {name}: {result}", flush=True)
            finally:
                stop_server(server)
    print(
        f"\n{'configuration':45} " + " ".join(f"{name[:22]:>24}" for name in measured) + "   (median req/s, worst p99)"
    )
    summary = {}
    for label, by_name in runs.items():
        summary[label] = {
            name: {"rps": statistics.median(r["rps"] for r in results), "p99_ms": max(r["p99_ms"] for r in results)}
            for name, results in by_name.items()
        }
        cells = " ".join(f"{v['rps']:>14.0f} ({v['p99_ms']:>4.0f} ms)" for v in summary[label].values())
        print(f"{label:45} {cells}", flush=True)
    return {"runs": runs, "summary": summary}


def phase(label: str, args, urls: dict[str, list[str]], *, cache_seconds: int) -> dict:
    server = start_server(args.port, cache_seconds=cache_seconds)
    results = {}
    try:
        rss_before = workers_rss_mb(server)
        trivial = []
        for name, paths in urls.items():
            if name == "trivial endpoint":
                continue
            single_client(args.port, paths, n=len(paths))  # warm-up (fills the cache when it is on)
            # The trivial endpoint right before each scenario: on a shared machine the rate drifts within minutes,
            # and a ratio against a measurement taken a minute earlier would measure the drift.
            pair = wrk(args.port, [TRIVIAL], duration=args.pair_duration, connections=args.connections)
            trivial.append(pair["rps"])
            results[name] = wrk(args.port, paths, duration=args.duration, connections=args.connections)
            results[name]["trivial_rps"] = pair["rps"]
            results[name]["ratio"] = round(results[name]["rps"] / pair["rps"], 3)
            if cache_seconds:  # was it served from the cache? (each URL once more, after the load)
                results[name]["x_cache"] = x_cache(args.port, paths)
            print(f"  [{label}] {name}: {results[name]}", flush=True)
        results["trivial endpoint"] = {"rps": statistics.median(trivial), "all": trivial, "ratio": 1.0}
        results["worker RSS MB before/after"] = [rss_before, workers_rss_mb(server)]
        print(f"  [{label}] worker RSS MB before/after: {results['worker RSS MB before/after']}", flush=True)
    finally:
        stop_server(server)
    return results


def latencies(args, urls: dict[str, list[str]], *, database_url: str | None = None) -> dict:
    server = start_server(args.port, cache_seconds=0, database_url=database_url)
    try:
        return {name: single_client(args.port, paths, n=args.samples) for name, paths in urls.items()}
    finally:
        stop_server(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 s per scenario, one round: under 5 minutes")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk measurement")
    parser.add_argument("--pair-duration", type=float, default=4.0, help="seconds of the paired trivial measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--samples", type=int, default=40, help="single-client requests per scenario")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--small-database-url", help="a 10k-product database for the size comparison")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--rounds", type=int, default=3, help="alternated rounds of the server-settings comparison")
    parser.add_argument("--previous-defaults", action="store_true", help="also the pre-#17 gunicorn defaults")
    parser.add_argument("--only-server-settings", action="store_true", help="only the trivial-endpoint comparison")
    parser.add_argument("--server-matrix", action="store_true", help="only the server-settings matrix (MATRIX)")
    parser.add_argument("--only", nargs="*", help="with --server-matrix: the configurations whose label starts so")
    parser.add_argument("--worker-class", help="with --server-matrix: also this gunicorn worker class (e.g. gevent)")
    parser.add_argument("--print-urls", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.print_urls:
        print(json.dumps(scenarios()))
        return
    if args.quick:
        args.duration, args.pair_duration, args.samples = min(args.duration, 3.0), 2.0, min(args.samples, 15)
        args.rounds = 1
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (Debian: apt-get install wrk)")

    urls = scenarios()
    host = urlparse(os.environ.get("DATABASE_URL", "")).path
    print(f"database {host}; gunicorn.conf.py defaults; wrk {args.connections} connections; load {load()}")
    report: dict = {"database": host, "connections": args.connections, "duration_s": args.duration}
    if args.server_matrix:
        report["server matrix"] = server_matrix(args, urls)
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=2))
        return
    print("server settings (trivial endpoint):")
    report["server settings"] = server_settings(args)
    if args.only_server_settings:
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=2))
        return
    print("uncached:")
    report["uncached"] = phase("uncached", args, urls, cache_seconds=0)
    print("cached:")
    report["cached"] = phase("cached", args, urls, cache_seconds=300)
    print("single client, uncached:")
    report["single client"] = latencies(args, urls)
    for name, value in report["single client"].items():
        print(f"  {name}: {value}", flush=True)
    if args.small_database_url:
        print("single client, uncached, small catalog:")
        small = _urls_of(args.small_database_url)
        report["single client, small catalog"] = latencies(args, small, database_url=args.small_database_url)
        for name, value in report["single client, small catalog"].items():
            print(f"  {name}: {value}", flush=True)

    print()
    print(f"{'scenario':40} {'uncached rps':>12} {'ratio':>6} {'cached rps':>11} {'ratio':>6} {'1 client ms':>12}")
    for name in urls:
        u, c, s = report["uncached"][name], report["cached"][name], report["single client"][name]
        small = report.get("single client, small catalog", {}).get(name, {}).get("p50_ms")
        print(
            f"{name:40} {u['rps']:>12.0f} {u['ratio']:>6.3f} {c['rps']:>11.0f} {c['ratio']:>6.3f}"
            f" {s['p50_ms']:>12.2f}" + (f"  (10k: {small:.2f})" if small is not None else "")
        )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


def _urls_of(database_url: str) -> dict[str, list[str]]:
    """The same scenarios built from another database (its own categories, middle rows and slugs)."""
    env = {**os.environ, "DATABASE_URL": database_url}
    output = subprocess.run(
        [sys.executable, __file__, "--print-urls"], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
