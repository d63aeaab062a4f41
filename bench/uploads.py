"""Maker-services benchmark: upload + geometry of a ~50 MB binary STL (about 1 M triangles), and quotes per
second for a measured upload next to the bare endpoint, behind gunicorn on PostgreSQL.

Not a test. Needs a migrated PostgreSQL database (the script seeds the maker-service materials itself):

    createdb -h 127.0.0.1 -U postgres makrx_upl_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/makrx_upl_bench REDIS_URL=redis://127.0.0.1:6379/4 \
           CELERY_TASK_ALWAYS_EAGER=true CELERY_BROKER_URL= LOG_LEVEL=WARNING
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/uploads.py --duration 10 --clients 4

Targets: upload + geometry under 3 s and under 400 MB peak memory for the 50 MB STL.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BARE = "/api/v1/utils/health-check"
RECORD = np.dtype([("normal", "<f4", (3,)), ("vertices", "<f4", (3, 3)), ("attr", "<u2")])


def sphere_stl(path: Path, *, rings: int = 500, segments: int = 1000, radius: float = 40.0) -> int:
    """A closed UV sphere as a binary STL (2 x segments x (rings - 1) triangles), written in one block."""
    theta = np.linspace(0, np.pi, rings + 1)
    phi = np.linspace(0, 2 * np.pi, segments + 1)[:-1]
    grid = np.stack(
        [
            radius * np.sin(theta)[:, None] * np.cos(phi)[None, :],
            radius * np.sin(theta)[:, None] * np.sin(phi)[None, :],
            radius * np.cos(theta)[:, None] * np.ones_like(phi)[None, :],
        ],
        axis=-1,
    )
    grid[0, :] = [0, 0, radius]  # one pole vertex, so the caps close exactly
    grid[-1, :] = [0, 0, -radius]
    faces = []
    nxt = np.roll(np.arange(segments), -1)
    for ring in range(rings):
        a, b = grid[ring], grid[ring + 1]
        if ring > 0:
            faces.append(np.stack([a, b, a[nxt]], axis=1))
        if ring < rings - 1:
            faces.append(np.stack([a[nxt], b, b[nxt]], axis=1))
    triangles = np.concatenate(faces).astype(np.float32)
    records = np.zeros(len(triangles), dtype=RECORD)
    records["vertices"] = triangles
    with path.open("wb") as handle:
        handle.write(b"makrx bench sphere".ljust(80, b" "))
        handle.write(np.uint32(len(triangles)).tobytes())
        records.tofile(handle)
    return len(triangles)


def multipart(path: Path, name: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not become ready")


def start_gunicorn(port: int, *, workers: int, threads: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_TIMEOUT": "120",
        "GUNICORN_LOG_LEVEL": "warning",
        # One client address sends everything: the per-IP limits (30 uploads/min, 60 quotes/min) would measure
        # the limiter, not the endpoint.
        "RATELIMIT_ENABLE": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEDIA_ROOT": os.environ.get("MEDIA_ROOT", tempfile.mkdtemp(prefix="makrx-bench-media-")),
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    return subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py", "makrx.wsgi"], cwd=ROOT, env=env)


def _client(port: int, method: str, path: str, body: bytes | None, headers: dict, duration: float) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    done = errors = 0
    deadline = time.perf_counter() + duration
    while time.perf_counter() < deadline:
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status >= 300:
                errors += 1
            else:
                done += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.close()
    return done, errors


def rate(port: int, method: str, path: str, body: bytes | None, headers: dict, *, clients: int, duration: float):
    with ProcessPoolExecutor(max_workers=clients) as pool:
        results = [
            f.result()
            for f in [pool.submit(_client, port, method, path, body, headers, duration) for _ in range(clients)]
        ]
    done, errors = sum(r[0] for r in results), sum(r[1] for r in results)
    return {"requests_per_s": round(done / duration, 1), "errors": errors}


def in_process(path: Path) -> dict:
    """Geometry alone: in this process (tracemalloc peak) and in the isolated child (its peak RSS)."""
    sys.path.insert(0, str(ROOT))
    from store.geometry import Limits, measure
    from store.geometry.isolated import measure_isolated

    tracemalloc.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    geometry = measure(path, kind="stl", limits=Limits())
    in_process_s, in_process_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    started = time.perf_counter()
    measure_isolated(path, kind="stl", limits=Limits(), memory_mb=1024, timeout_seconds=120)
    isolated_s = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_peak_mb = children.ru_maxrss / 1024
    return {
        "triangles": geometry["triangles"],
        "watertight": geometry["watertight"],
        "volume_mm3": geometry["volume_mm3"],
        "in_process_s": round(in_process_s, 2),
        # CPU seconds: on a shared, oversubscribed machine the wall time mostly measures the queue for a core.
        "in_process_cpu_s": round(in_process_cpu, 2),
        "in_process_traced_peak_mb": round(peak / 2**20, 1),
        "isolated_child_s": round(isolated_s, 2),
        "isolated_child_cpu_s": round(children.ru_utime + children.ru_stime, 2),
        "isolated_child_peak_rss_mb": round(child_peak_mb, 1),
    }


def seed_material() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "makrx.settings")
    import django

    django.setup()
    from store.seed import seed_maker_services

    seed_maker_services(stdout=sys.stdout)
    from store.models import Material

    return Material.objects.get(slug="pla").pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()

    results: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        stl = Path(folder) / "sphere.stl"
        started = time.perf_counter()
        triangles = sphere_stl(stl)
        results["file"] = {
            "triangles": triangles,
            "mb": round(stl.stat().st_size / 2**20, 1),
            "generated_s": round(time.perf_counter() - started, 2),
        }
        results["geometry"] = in_process(stl)
        material = seed_material()
        server = start_gunicorn(args.port, workers=args.workers, threads=args.threads)
        try:
            wait_ready(args.port)
            body, content_type = multipart(stl, "sphere.stl")
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=300)
            started = time.perf_counter()
            # CELERY_TASK_ALWAYS_EAGER: the measuring task runs right after the upload's commit, in the request,
            # so this one wall time is upload + storage + isolated measurement.
            conn.request("POST", "/api/v1/store/uploads/", body=body, headers={"Content-Type": content_type})
            response = conn.getresponse()
            upload = json.loads(response.read())
            results["upload_http"] = {
                "status": response.status,
                "wall_s": round(time.perf_counter() - started, 2),
                "upload_status": upload.get("status"),
            }
            token = response.getheader("X-Cart-Token")
            conn.request("GET", f"/api/v1/store/uploads/{upload['id']}/", headers={"X-Cart-Token": token})
            detail = json.loads(conn.getresponse().read())
            results["upload_http"]["final_status"] = detail.get("status")
            quote_body = json.dumps(
                {"upload": upload["id"], "process": "print_3d", "material": material, "quantity": 2}
            ).encode()
            headers = {"Content-Type": "application/json", "X-Cart-Token": token}
            results["bare"] = rate(args.port, "GET", BARE, None, {}, clients=args.clients, duration=args.duration)
            results["quotes"] = rate(
                args.port, "POST", "/api/v1/store/quotes/", quote_body, headers, clients=args.clients,
                duration=args.duration,
            )  # fmt: skip
            results["quotes"]["share_of_bare"] = round(
                results["quotes"]["requests_per_s"] / max(results["bare"]["requests_per_s"], 0.1), 3
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps(results, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
