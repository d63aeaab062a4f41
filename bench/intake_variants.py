"""Bench-only WSGI application (``bench/bridge.py --intake-variants``): the platform's own application with the
status receiver changed in ONE way, to show where an intake's cost comes from. Never deployed; gunicorn loads it
as ``intake_variants:application`` with ``bench/`` on ``PYTHONPATH`` and ``BENCH_INTAKE_VARIANT`` set.

- ``floor``: the status paths skip the receiver (no signature check, no JSON parse, no wire validation, no log
  fields) and run only the intake statement with a fixed small row: what ANY durable intake on this stack costs
  (Django, DRF, one prepared INSERT committed before the answer).
- ``floor-no-drf``: ``floor`` answered by the view's ``dispatch`` itself (Django's middleware still runs; DRF's
  request wrapper, negotiation, permission and renderer do not): what DRF adds to a receiver.
- ``async-commit``: the real receiver, with ``synchronous_commit = off`` on the server's database connections:
  PostgreSQL answers the commit before its WAL is flushed to disk. Diagnosis only: a database crash could then lose
  deliveries already answered 202, which the bridge's contract (lossless) forbids.
"""

from __future__ import annotations

import os
import uuid

from makrx.wsgi import application  # noqa: F401 - what gunicorn serves

VARIANT = os.environ.get("BENCH_INTAKE_VARIANT", "")

if VARIANT in ("floor", "floor-no-drf"):
    from bridge.api.views import receivers as views
    from bridge.services.inbox import inbox_store
    from bridge.services.receivers import Reply

    _ROW = {
        "endpoint": "job.status",
        "transport": "http",
        "path": "/api/bridge/jobs/status",
        "headers": {},
        "body": "{}",
        "verified": True,
        "auth_method": "signature",
        "result": "queued",
        "status_code": 202,
        "message": {"status": "PRINTING"},
    }

    def _intake_only(*, path_params=None, **_ignored):
        order_id = int((path_params or {}).get("job_id") or 0)
        status, delivery_id = inbox_store(service_order_id=order_id, row={**_ROW, "dedupe_key": uuid.uuid4().hex})
        if status is None:
            return Reply(404, {"detail": "No such service order.", "code": "service_order_not_found"})
        body = {"received": True, "result": "queued", "service_order_id": order_id, "status": status}
        return Reply(202, {**body, "delivery_id": delivery_id})

    views.inbound_receive = _intake_only  # the views call it through their module
    if VARIANT == "floor-no-drf":
        from django.http import JsonResponse

        def _dispatch_without_drf(self, request, *args, **kwargs):
            reply = _intake_only(path_params=kwargs)
            return JsonResponse(reply.body, status=reply.status)

        views._ReceiverApi.dispatch = _dispatch_without_drf
elif VARIANT == "async-commit":
    from django.db.backends.signals import connection_created

    def _asynchronous_commit(sender, connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")

    connection_created.connect(_asynchronous_commit, weak=False)
elif VARIANT:
    raise SystemExit(f"unknown BENCH_INTAKE_VARIANT {VARIANT!r} (floor, floor-no-drf, async-commit)")
