"""Bridge benchmark: inbound status deliveries/s (verified and stored) next to the bare endpoint, payment webhook →
job visible with one Celery worker (median, p95), and the outbox drain rate after an outage (10,000 pending).

Not a test. Needs a migrated PostgreSQL database and Redis (the broker of phase 2):

    createdb -h 127.0.0.1 -U postgres makrx_bridge_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/makrx_bridge_bench REDIS_URL=redis://127.0.0.1:6379/2 \
           LOG_LEVEL=WARNING
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/bridge.py --duration 10 --clients 4 --latency-runs 30 --drain 10000

1. **Inbound**: gunicorn (gunicorn.conf.py with its production defaults) with ``CAVE_WEBHOOK_SECRET``;
   ``--clients`` kept-alive connections (wrk by default, or Python processes with ``--load-generator python``)
   POST signed status bodies (fresh ``event_id`` and ``sent_at`` each, HMAC of each body;
   built before the client's clock starts, so the sender's signing does not take the server's CPU) to ``/api/bridge/jobs/{id}/status`` for 500 dispatched service orders, statuses cycling. This
   measures the **intake** (what the sender waits for): each request is verified, parsed, checked fresh, and
   stored in the inbox in one statement (order exists, key new) → 202 ``queued``; any 2xx counts as done. The
   apply (order update, timeline, customer notification) runs in the Celery worker after the answer; none runs
   during this phase (the kicked task waits in a scratch broker). Then the bare DRF endpoint
   ``/api/v1/utils/health-check`` with the same clients against the same server. Target ≥ 0.5 of the bare rate.
   Last, the **apply rate**: ``inbound_apply_pending`` (the worker's code) run in this process over everything the
   phase stored (some apply and notify the customer, most are recorded as out of order once an order reached
   ``shipped``), notification tasks published to the scratch broker as a worker would: deliveries per second.
2. **Payment → job**: gunicorn and ONE Celery worker (``-c 1``, queues default, notifications, bridge) on Redis;
   for each run a signed Stripe ``payment_intent.succeeded`` for a fresh service order is POSTed, and the clock
   stops when the job exists in the makerspace's table (polled every 5 ms). Target p95 < 2 s.
3. **Drain**: 10,000 ``job.status`` messages left ``failed`` by a 10-minute outage of the store (500 orders × 20
   messages, delivered in order per order), sent over HTTP to the gunicorn of phase 1 by the sweep's code
   (``outbox_sweep``, what the beat task runs), one process. Messages per second until none is left.

With ``--intake-variants``, phase 1's status path is measured again on servers changed in one way each
(``bench/intake_variants.py``: the intake statement alone, the same without DRF, the real receiver without the WAL
flush wait), each paired with the bare endpoint, alternated ``--variant-rounds`` times: where the ratio's gap is.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import hmac
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import loadgen  # bench/loadgen.py (the script's folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-cave-webhook-secret"
STRIPE_SECRET = "whsec_bench"
STATUSES = ["PUBLISHED", "ACCEPTED", "PRINTING", "READY", "SHIPPED"]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SERVER_PORT = free_port()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "makrx.settings")
os.environ["CAVE_WEBHOOK_SECRET"] = SECRET
os.environ["STORE_API_URL"] = f"http://127.0.0.1:{SERVER_PORT}"
# The bench process never uses a broker: a message it sends queues the next of its order at once (eager), as a
# worker would; the servers and the worker it starts get their own environment.
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="bridge_bench_media_"))

import django  # noqa: E402

django.setup()

from django.db import connection, models  # noqa: E402
from django.utils import timezone  # noqa: E402

from bridge.models import InboundDelivery, OutboxMessage  # noqa: E402
from bridge.services.outbox import outbox_sweep  # noqa: E402
from makerspace.models import ServiceJob  # noqa: E402
from store.models import ServiceOrder  # noqa: E402


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _requests(kind: str, orders: list[int], offset: int, count: int) -> list[tuple[str, str, bytes | None, dict]]:
    """The client's requests, built before its clock starts: signing and encoding are the sender's work, not the
    server's, and on this shared machine they would take CPU from the server that only the status phase pays."""
    if kind == "bare":
        return [("GET", "/api/v1/utils/health-check", None, {})]
    built = []
    for i in range(offset, offset + count):
        order = orders[i % len(orders)]
        payload = {
            "event_id": uuid.uuid4().hex,
            "sent_at": datetime.now(UTC).isoformat(),
            "service_order_id": order,
            "status": STATUSES[(i // len(orders)) % len(STATUSES)],
            "milestone": {"at": None, "note": "bench"},
        }
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "X-Signature": sign(body)}
        built.append(("POST", f"/api/bridge/jobs/{order}/status", body, headers))
    return built


def _client(port: int, kind: str, orders: list[int], duration: float, offset: int) -> tuple[int, int, list[float]]:
    requests = _requests(kind, orders, offset, count=int(duration * 2500))  # more than one client can send
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    done = errors = 0
    latencies: list[float] = []
    i = 0
    deadline = time.perf_counter() + duration
    while time.perf_counter() < deadline:
        method, path, body, headers = requests[i % len(requests)]
        i += 1
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if not 200 <= response.status < 300:
                errors += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append((time.perf_counter() - start) * 1000)
        done += 1
    conn.close()
    return done, errors, latencies


def measure(kind: str, orders: list[int], *, duration: float, clients: int) -> dict:
    with ProcessPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(_client, SERVER_PORT, kind, orders, duration, n * 100_003) for n in range(clients)]
        results = [f.result() for f in futures]
    done = sum(r[0] for r in results)
    latencies = sorted(x for r in results for x in r[2])
    return {
        "rps": round(done / duration, 1),
        "errors": sum(r[1] for r in results),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1) if latencies else None,
    }


# wrk's script: each thread takes every n-th of the prepared requests (path, signature, body; one per line) and sends
# them in turn, each as one write.
_WRK_LUA = """
local threads = 0
function setup(thread)
  thread:set("id", threads)
  thread:set("file", FILE)
  thread:set("THREADS", THREADS)
  threads = threads + 1
end
function init(args)
  requests, i, n = {}, 0, 0
  for line in io.lines(file) do
    if n % THREADS == id then
      local path, signature, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = {}
      if body ~= "" then
        headers["Content-Type"] = "application/json"
        headers["X-Signature"] = signature
        requests[#requests + 1] = wrk.format("POST", path, headers, body)
      else
        requests[#requests + 1] = wrk.format("GET", path)
      end
    end
    n = n + 1
  end
end
function request()
  i = i + 1
  return requests[((i - 1) % #requests) + 1]
end
"""


def measure_wrk(kind: str, orders: list[int], *, duration: float, connections: int) -> dict:
    """``measure`` with wrk (``connections`` kept-alive connections) sending the prepared requests: a load generator
    in C, so the clients take little of the CPU the server shares (the Python clients took a third of this 2-CPU
    machine, and more per POST than per GET)."""
    built = _requests(kind, orders, 0, count=int(duration * 4000))  # more than the server takes: no body repeats
    built = built * (2 if len(built) == 1 else 1)  # the bare request: one for each wrk thread
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as data:
        for _method, path, body, headers in built:
            data.write(f"{path}\t{headers.get('X-Signature', '')}\t{(body or b'').decode()}\n")
    script = f"FILE, THREADS = {json.dumps(data.name)}, {loadgen.threads(connections)}\n" + _WRK_LUA
    try:
        result = loadgen.run(SERVER_PORT, script, duration=duration, connections=connections)
    finally:
        os.unlink(data.name)
    return {
        "rps": result["rps"],
        "errors": result["non_2xx"] + result["socket_errors"],
        "p50_ms": result["p50_ms"],
        "p99_ms": result["p99_ms"],
    }


def start_gunicorn(*, broker: str, workers: int, threads: int, variant: str = "") -> subprocess.Popen:
    """gunicorn with the production settings; ``variant`` serves ``bench/intake_variants.py`` instead (one change to
    the status receiver, for diagnosis)."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{SERVER_PORT}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_LOG_LEVEL": "warning",
        # One client address sends everything here; production limits per sender, which would cap the bench.
        "RATELIMIT_ENABLE": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "STRIPE_WEBHOOK_SECRET": STRIPE_SECRET,
        "MAKRCAVE_API_URL": "",
        "STORE_API_URL": "",
    }
    app = "makrx.wsgi"
    if variant:
        app = "intake_variants:application"
        env["BENCH_INTAKE_VARIANT"] = variant
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "bench"), str(ROOT), env.get("PYTHONPATH")]))
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py", app], cwd=ROOT, env=env)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", SERVER_PORT, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not become ready")


def start_worker(broker: str) -> subprocess.Popen:
    env = {**os.environ, "CELERY_BROKER_URL": broker, "CELERY_TASK_ALWAYS_EAGER": "false", "LOG_LEVEL": "WARNING"}
    env.update({"MAKRCAVE_API_URL": "", "STORE_API_URL": ""})
    celery = str(Path(sys.executable).with_name("celery"))
    command = [celery, "-A", "makrx", "worker", "-Q", "default,notifications,bridge", "-c", "1", "--loglevel=INFO"]
    with open(
        tempfile.mkstemp(prefix="bridge-bench-worker-", suffix=".log")[1], "w"
    ) as log:  # the child keeps its copy
        print(f"worker log: {log.name}")
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


def fresh_sequences() -> None:
    """Factory sequences restart with each process: start this run's past the rows earlier runs left."""
    import factory

    from makerspace.tests import factories as makerspace_factories
    from store.tests import factories as store_factories

    offset = int(time.time()) % 10**7 * 1000
    for module in (store_factories, makerspace_factories):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory):
                value.reset_sequence(offset, force=True)


def make_orders(n: int, *, status: str, material) -> list[int]:
    from store.tests.factories import OrderFactory, QuoteFactory, ServiceOrderFactory

    ids = []
    for _ in range(n):
        quote = QuoteFactory(material=material, estimates={"est_weight_g": 12.5, "est_time_min": 40})
        order = OrderFactory(number=f"BB-{uuid.uuid4().hex[:20]}", user=quote.user, total=quote.total)
        service_order = ServiceOrderFactory(
            quote=quote,
            order=order,
            status=status,
            delivery=ServiceOrder.Delivery.SHIP,
            pickup_makerspace_ref=None,
            shipping_address={"city": "Pune", "postal_code": "411001", "country": "IN"},
        )
        ids.append(service_order.pk)
    return ids


def maker_world():
    from makerspace.tests.factories import InventoryItemFactory, ServiceProviderFactory, job_space
    from store.tests.factories import MaterialFactory, ServiceCapabilityFactory

    space = job_space(name=f"Bench space {uuid.uuid4().hex[:6]}", address="Pune 411001")
    ServiceProviderFactory(makerspaces=[space])
    InventoryItemFactory(makerspace=space, sku="PLA", name="PLA filament", unit="g", stock=10**6)
    material = MaterialFactory()
    capability = ServiceCapabilityFactory(makerspace_ref=space.pk, makerspace_name=space.name)
    capability.materials.set([material])
    return material


def stripe_body(order) -> tuple[bytes, str]:
    """A signed ``payment_intent.succeeded`` for ``order``, after recording the platform payment that checkout's
    ``payment_start`` would have created for its PaymentIntent (the bench calls no provider)."""
    from makrx.payments.models import Payment

    intent = f"pi_{uuid.uuid4().hex}"
    Payment.objects.create(
        purpose="store.order",
        reference=order.number,
        amount=order.total,
        currency=order.currency,
        provider="stripe",
        provider_ref=intent,
        idempotency_key=f"bench-{intent}",
    )
    amount = int(order.total * 100)
    body = json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex}",
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": intent,
                    "object": "payment_intent",
                    "amount": amount,
                    "amount_received": amount,
                    "currency": order.currency.lower(),
                    "metadata": {"order_number": order.number},
                }
            },
        }
    ).encode()
    timestamp = int(time.time())
    signature = hmac.new(STRIPE_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={signature}"


def payment_to_job(runs: int, material) -> dict:
    orders = make_orders(runs, status=ServiceOrder.Status.PAYMENT_PENDING, material=material)
    latencies = []
    conn = http.client.HTTPConnection("127.0.0.1", SERVER_PORT, timeout=30)
    for service_order_id in orders:
        order = ServiceOrder.objects.select_related("order").get(pk=service_order_id).order
        body, signature = stripe_body(order)
        start = time.perf_counter()
        conn.request(
            "POST",
            "/api/v1/store/payments/webhook",
            body=body,
            headers={"Content-Type": "application/json", "Stripe-Signature": signature},
        )
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status
        deadline = start + 30
        while not ServiceJob.objects.filter(external_order_id=str(service_order_id)).exists():
            if time.perf_counter() > deadline:
                raise SystemExit(f"no job for service order {service_order_id} after 30 s")
            time.sleep(0.005)
        latencies.append((time.perf_counter() - start) * 1000)
    conn.close()
    latencies.sort()
    return {
        "runs": runs,
        "median_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[max(0, int(len(latencies) * 0.95) - 1)], 1),
        "max_ms": round(latencies[-1], 1),
    }


def apply_rate(broker: str) -> dict:
    """Apply what the inbound phase stored, as the worker would (its notification tasks go to the broker)."""
    from bridge.models import InboundDelivery
    from bridge.services.inbox import inbound_apply_pending
    from makrx.celery import app as celery_app

    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = broker
    pending = InboundDelivery.objects.filter(state="pending").count()
    since = timezone.now()
    start = time.perf_counter()
    try:
        taken = inbound_apply_pending(limit=10**9)
    finally:
        celery_app.conf.task_always_eager = True  # the later phases queue their next messages eagerly
    elapsed = time.perf_counter() - start
    outcomes = (
        InboundDelivery.objects.filter(processed_at__gte=since)
        .order_by()
        .values("apply_result")
        .annotate(n=models.Count("id"))
        .values_list("apply_result", "n")
    )
    return {
        "pending": pending,
        "taken": taken,
        "results": dict(outcomes),
        "seconds": round(elapsed, 1),
        "per_second": round(taken / elapsed, 1) if elapsed else None,
    }


def drain(total: int, orders: list[int]) -> dict:
    OutboxMessage.objects.filter(kind="job.status", destination="store").delete()
    outage_start = timezone.now() - timedelta(minutes=10)
    per_order = max(1, total // len(orders))
    rows = []
    for round_ in range(per_order):
        for order in orders:
            rows.append(
                OutboxMessage(
                    kind="job.status",
                    destination="store",
                    key=f"so:{order}",
                    payload={
                        "service_order_id": order,
                        "status": STATUSES[round_ % len(STATUSES)],
                        "milestone": {"at": None, "note": "after the outage"},
                        "job_id": str(order),
                    },
                    status=OutboxMessage.Status.FAILED,
                    attempts=3,
                    next_attempt_at=timezone.now() - timedelta(seconds=1),
                    last_error="ConnectionError: the store was down",
                    created_at=outage_start,
                )
            )
    OutboxMessage.objects.bulk_create(rows, batch_size=2000)
    count = len(rows)
    start = time.perf_counter()
    while outbox_sweep(limit=10**9, budget_seconds=10**9):
        pass  # each sent message queues the next of its order at once (eager here, a worker in production)
    elapsed = time.perf_counter() - start
    sent = OutboxMessage.objects.filter(kind="job.status", destination="store", status="sent").count()
    left = OutboxMessage.objects.filter(status__in=["pending", "failed"]).count()
    return {
        "messages": count,
        "sent": sent,
        "left": left,
        "seconds": round(elapsed, 1),
        "per_second": round(sent / elapsed, 1),
    }


def status_and_bare(args, orders: list[int]) -> tuple[dict, dict, float]:
    """Phase 1 on the running server: a warm-up, the status deliveries, then the bare endpoint with the same
    clients (``--load-generator``), and the ratio of the two rates."""
    if args.load_generator == "wrk":
        if not shutil.which("wrk"):
            raise SystemExit("wrk is needed (Debian: apt-get install wrk), or --load-generator python")
        load = functools.partial(measure_wrk, orders=orders, connections=args.clients)
    else:
        load = functools.partial(measure, orders=orders, clients=args.clients)
    load("status", duration=2)  # warm-up
    status = load("status", duration=args.duration)
    bare = load("bare", duration=args.duration)
    return status, bare, round(status["rps"] / bare["rps"], 2)


def intake_variants(args, broker: str, orders: list[int]) -> dict:
    """Phase 1's status path on a server changed in one way (``bench/intake_variants.py``), each variant with the
    bare endpoint measured on the same server right after, then the unchanged server again: where the ratio's gap
    comes from, measured in one run rather than argued."""
    first_id = (InboundDelivery.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    connection.close()
    variants = [*(v.strip() for v in args.intake_variants.split(",") if v.strip()), ""]
    results: dict[str, list[dict]] = {}
    for variant in variants * args.variant_rounds:  # rounds alternate the variants: the machine's speed drifts
        server = start_gunicorn(broker=broker, workers=args.workers, threads=args.threads, variant=variant)
        try:
            status, bare, ratio = status_and_bare(args, orders)
        finally:
            stop(server)
        results.setdefault(variant or "receiver (unchanged)", []).append(
            {
                "status_rps": status["rps"],
                "status_p50_ms": status["p50_ms"],
                "errors": status["errors"],
                "bare_rps": bare["rps"],
                "ratio": ratio,
            }
        )
        print(variant or "receiver (unchanged)", results[variant or "receiver (unchanged)"][-1], flush=True)
    # What the variants stored is not applied (the floor's rows are not real statuses): gone before the next phase,
    # whose one worker would otherwise spend minutes on it.
    deleted, _ = InboundDelivery.objects.filter(id__gte=first_id, state="pending").delete()
    with connection.cursor() as cursor:  # their dead rows would slow the next run's intake (0.31 -> 0.11 seen)
        cursor.execute(f"VACUUM ANALYZE {InboundDelivery._meta.db_table}")
    connection.close()
    print(f"intake variants: {deleted} stored deliveries deleted")
    return results


def finish(report: dict, args) -> None:
    """The load average after, the whole report printed, and written to ``--json`` when given."""
    report["load_after"] = os.getloadavg()
    print(json.dumps(report, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4, help="concurrent senders (connections)")
    parser.add_argument(
        "--load-generator", choices=["wrk", "python"], default="wrk",
        help="phase 1's clients: wrk (C), or Python processes with http.client (what sessions 3-7 measured with)",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--latency-runs", type=int, default=30)
    parser.add_argument("--drain", type=int, default=10000)
    parser.add_argument("--phases", default="inbound,drain,latency", help="comma-separated subset to run")
    parser.add_argument(
        "--intake-variants", default="",
        help="after phase 1, the status path again on servers changed in one way each, paired with the bare endpoint "
        "(bench/intake_variants.py): floor, floor-no-drf, async-commit; comma-separated",
    )  # fmt: skip
    parser.add_argument("--variant-rounds", type=int, default=1, help="how many times to alternate the variants")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/2")
    broker = redis.rsplit("/", 1)[0] + "/" + str((int(redis.rsplit("/", 1)[1] or 0) + 8) % 16)  # a scratch db
    print(f"load average before: {os.getloadavg()}")
    fresh_sequences()
    material = maker_world()
    orders = make_orders(500, status=ServiceOrder.Status.DISPATCHED, material=material)
    connection.close()
    report = {"load_before": os.getloadavg()}

    phases = set(args.phases.split(","))
    server = start_gunicorn(broker=broker, workers=args.workers, threads=args.threads)
    try:
        if "inbound" in phases:
            report["load_generator"] = args.load_generator
            report["inbound_status"], report["bare"], report["inbound_ratio"] = status_and_bare(args, orders)
            print(json.dumps({k: report[k] for k in ("inbound_status", "bare", "inbound_ratio")}, indent=2))
            report["inbound_apply"] = apply_rate(broker)
            print(json.dumps({"inbound_apply": report["inbound_apply"]}, indent=2))
        if "drain" in phases:
            report["drain"] = drain(args.drain, orders)
            print(json.dumps({"drain": report["drain"]}, indent=2))
    finally:
        stop(server)
    if args.intake_variants:
        report["intake_variants"] = intake_variants(args, broker, orders)
        print(json.dumps({"intake_variants": report["intake_variants"]}, indent=2))
    if "latency" not in phases:
        finish(report, args)
        return
    subprocess.run(  # noqa: S603 - drop what phase 1 queued (customer notifications) before the worker starts
        [str(Path(sys.executable).with_name("celery")), "-A", "makrx", "purge", "-f"],
        cwd=ROOT,
        env={**os.environ, "CELERY_BROKER_URL": broker},
        capture_output=True,
    )
    server = start_gunicorn(broker=broker, workers=args.workers, threads=args.threads)
    worker = start_worker(broker)
    try:
        time.sleep(5)  # the worker connects
        payment_to_job(3, material)  # warm-up
        report["payment_to_job"] = payment_to_job(args.latency_runs, material)
        print(json.dumps({"payment_to_job": report["payment_to_job"]}, indent=2))
    finally:
        stop(worker)
        stop(server)
    finish(report, args)


if __name__ == "__main__":
    main()
