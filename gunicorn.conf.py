"""gunicorn settings, all from the environment (DESIGN.md §9). `gunicorn -c gunicorn.conf.py makrx.wsgi`."""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in {"1", "true", "yes", "on"}


wsgi_app = "makrx.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{_int('PORT', 8000)}")
# Chosen by measurement (bench/README.md, "Server settings"; docs/operations.md): one worker per CPU with 4 threads
# each. Threads let a worker overlap its database and Redis waits; more processes than CPUs only made them fight for
# the CPUs (2 CPUs: 5 gthread workers had a p99 of 0.6-0.9 s on the trivial endpoint where 2 had under 0.1 s).
workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", max(2, min(multiprocessing.cpu_count(), 8))))
threads = _int("GUNICORN_THREADS", 4)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "").strip() or ("gthread" if threads > 1 else "sync")
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# A kept-alive connection stays with the worker that accepted it, so a few busy clients can pile onto one worker
# while the other idles (docs/operations.md, "Web server settings"). Like nginx's keepalive_requests, the answer to a
# connection's Nth request says `Connection: close`; the client reconnects and whichever worker is free accepts it.
keepalive_requests = _int("GUNICORN_KEEPALIVE_REQUESTS", 100)
backlog = _int("GUNICORN_BACKLOG", 2048)
# Worker recycling is off by default: at 2,000 requests (the old default) every worker restarted several times a
# minute under load, re-importing Django each time, and the trivial endpoint fell to about a third of its rate with
# a p99 above 1 s. Worker memory stays flat over a benchmark (bench/storefront.py prints it); to recycle anyway
# (a leak found in production), set GUNICORN_MAX_REQUESTS high (e.g. 100000) with GUNICORN_PRELOAD=true, so a new
# worker is a fork rather than a fresh import.
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10)
limit_request_line = 8190
limit_request_fields = 100
preload_app = _bool("GUNICORN_PRELOAD", False)
# Heartbeat files on tmpfs so a slow disk never looks like a hung worker (gunicorn's advice).
_SHM = "/dev/shm"  # noqa: S108 - gunicorn heartbeat files only, not data
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or (_SHM if os.path.isdir(_SHM) else None)

# The application already writes one structured access line per request (makrx.request, with the
# request id); gunicorn's own access log is off unless asked for ("-" = stdout).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
# Calendar/invite tokens and secret-named query values are masked, as in the application's own line.
logger_class = "makrx.gunicorn_logging.MaskedAccessLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" rid=%({x-request-id}o)s'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
capture_output = False

# Behind a TLS-terminating proxy: which peers may set X-Forwarded-* for gunicorn itself.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def pre_request(worker, req):
    """Close a kept-alive connection after `keepalive_requests` requests (0: never), so connections rebalance."""
    if keepalive_requests and req.req_number >= keepalive_requests:
        req.force_close()


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR, drop a dead worker's live gauges from the shared files."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
