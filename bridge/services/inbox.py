"""The job-status inbox: a verified delivery is stored in one statement (its log row is the inbox row) and applied
after the request by ``inbound_apply_pending`` (a kicked task, and the minute sweep for what a lost kick left).

Why: a status delivery used to lock and update the service order, write its timeline, notify the customer and
log, all before answering (~15 statements). The makerspace only needs to know the delivery is safe; a slow
notification or a locked order no longer makes it wait or retry.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
import time
from collections import defaultdict
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, IntegrityError, OperationalError, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from bridge.models import InboundDelivery
from makrx import metrics
from makrx.auth.scoping import platform_admin_require
from makrx.errors import DomainError, InvalidTransition
from makrx.prepared import prepared_cursor

logger = logging.getLogger("bridge.inbox")

State = InboundDelivery.State
ApplyResult = InboundDelivery.ApplyResult
# Set while an apply task is queued or draining; an intake publishes a task only when it adds the key.
KICK_KEY = "bridge:inbox:kick"
APPLY_BATCH = 50


# --- intake --------------------------------------------------------------------------------------------------


@functools.cache
def _intake_plan() -> tuple[str, tuple]:
    """The intake statement and the columns whose default is computed per call (built once per process; table
    and column names from ``_meta``).

    The row travels as ONE jsonb value that ``jsonb_populate_record`` unpacks into the table's own column types:
    one parameter to bind instead of one per column (psycopg's per-parameter dumping was a tenth of the request's
    Python time). A column the row leaves out takes its constant default, a literal in the statement."""
    from psycopg import sql as psycopg_sql

    from store.models import ServiceOrder

    quote = connection.ops.quote_name
    delivery, order = InboundDelivery._meta, ServiceOrder._meta
    fields = [field for field in delivery.concrete_fields if not field.primary_key]
    if any(field.name != field.column for field in fields):
        raise ImproperlyConfigured("inbox intake: the record's keys are field names, so they must be column names")
    order_pk, order_status = quote(order.pk.column), quote(order.get_field("status").column)
    values, per_call = [], []
    for field in fields:
        column = f"r.{quote(field.column)}"
        if field.has_default() and callable(field.default):
            per_call.append((field.column, field.default))  # e.g. created_at: now, added by the intake
            values.append(column)
            continue
        constant = field.get_db_prep_save(field.get_default(), connection)
        literal = psycopg_sql.Literal(constant).as_string(connection.connection).replace("%", "%%")
        values.append(column if constant is None else f"COALESCE({column}, {literal})")
    statement = (
        f"WITH so AS (SELECT {order_pk}, {order_status} FROM {quote(order.db_table)} WHERE {order_pk} = %s), "  # noqa: S608
        f"ins AS (INSERT INTO {quote(delivery.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {', '.join(values)} FROM so, jsonb_populate_record(NULL::{quote(delivery.db_table)}, %s::jsonb) r "
        f"ON CONFLICT ({quote(delivery.get_field('dedupe_key').column)}) DO NOTHING "
        f"RETURNING {quote(delivery.pk.column)}) "
        f"SELECT (SELECT {order_status} FROM so), (SELECT {quote(delivery.pk.column)} FROM ins)"
    )
    return statement, tuple(per_call)


# What an intake row may carry (the receivers' log row plus the inbox columns); any other column takes its
# default.
INTAKE_FIELDS = frozenset(
    {
        *("endpoint", "transport", "path", "headers", "body", "verified", "auth_method", "event_id", "result"),
        *("status_code", "detail", "client_ip", "request_id", "dedupe_key", "message", "state"),
    }
)


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _intake_record(row: dict) -> str:
    """The row as the statement's jsonb record (keys are column names; here they equal the field names)."""
    unknown = row.keys() - INTAKE_FIELDS
    if unknown:
        raise TypeError(f"inbox_store: not an intake field: {sorted(unknown)}")
    record = dict(row)
    for column, default in _intake_plan()[1]:
        if column not in record:
            record[column] = default()
    return json.dumps(record, default=_json_value)


def inbox_store(*, service_order_id: int, row: dict) -> tuple[str | None, int | None]:
    """Store a delivery (``row``: the ``InboundDelivery`` fields) as pending, if its service order exists and its
    ``dedupe_key`` is new: ONE statement on PostgreSQL, in autocommit when no transaction is open. Returns the
    order's status (None: no such order, nothing stored) and the new row's id (None: the key exists, a duplicate).
    A concurrent insert of the same key waits on the unique index, then counts as the duplicate."""
    row = {**row, "state": State.PENDING}
    db = connections[DEFAULT_DB_ALIAS]  # looked up once: each read through the ``connection`` proxy is a lookup
    if db.vendor != "postgresql":
        status, delivery_id = _store_portable(service_order_id, row)
    else:
        # Prepared (PostgreSQL skips parsing and planning the intake); no health check: a dropped connection fails
        # this request, whose sender retries (the failed request closes the connection).
        with prepared_cursor(db, health_check=False) as cursor:
            cursor.execute(_intake_plan()[0], [service_order_id, _intake_record(row)])
            status, delivery_id = cursor.fetchone()
    if delivery_id is not None:
        inbox_kick()
    return status, delivery_id


def _store_portable(service_order_id: int, row: dict) -> tuple[str | None, int | None]:
    """The same in two statements for SQLite (``make run``), which has no INSERT inside a WITH."""
    from store.models import ServiceOrder

    with transaction.atomic():
        status = ServiceOrder.objects.filter(pk=service_order_id).values_list("status", flat=True).first()
        if status is None:
            return None, None
        try:
            with transaction.atomic():
                return status, InboundDelivery.objects.create(**row).pk
        except IntegrityError:  # the dedupe key exists: a duplicate
            return status, None


def inbox_kick() -> None:
    """Once the current transaction commits (at once in autocommit), make sure an apply task will run: in a web
    process through the process's kicker (one kick for whatever a burst stored), else at once."""
    transaction.on_commit(_kick_soon, robust=True)


def _kick_soon() -> None:
    interval = settings.BRIDGE_INBOX_KICK_COALESCE_MS / 1000
    if interval <= 0 or settings.CELERY_TASK_ALWAYS_EAGER:
        _kick()  # eager: the apply runs here, in the caller's thread and connection
    else:
        _KICKER.request(interval)


class _Kicker:
    """Coalesces the kicks of one process: intakes ask, one thread kicks at most once per interval.

    Every request is followed by a ``_kick()`` that STARTS after it: the thread clears the flag before it kicks,
    so a request that sets it during a kick gets the next one. Costs one Redis call per interval instead of one
    per delivery. A process that exits with a kick owed loses only the kick: the minute sweep applies the rows."""

    def __init__(self):
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._pid = None
        self._interval = 0.0

    def request(self, interval: float) -> None:
        self._interval = interval
        if self._pid != os.getpid():  # first use in this process (gunicorn forks after import)
            with self._lock:
                if self._pid != os.getpid():
                    self._wanted = threading.Event()
                    threading.Thread(target=self._run, name="bridge-inbox-kicker", daemon=True).start()
                    self._pid = os.getpid()
        self._wanted.set()

    def _run(self) -> None:
        wanted = self._wanted
        while True:
            wanted.wait()
            wanted.clear()
            try:
                _kick()
            except Exception:  # noqa: BLE001 - never let the thread die; the sweep covers a missed kick
                logger.exception("bridge: inbox kick failed; the sweep will apply")
            time.sleep(self._interval)


_KICKER = _Kicker()


def _kick() -> None:
    """Publish the apply task only when the kick key was not there (none queued or draining): the task deletes the
    key before each fetch round, so a delivery committed while the key was present is seen by the round after."""
    from bridge.tasks import apply_inbound_deliveries_task

    try:
        if not cache.add(KICK_KEY, 1, timeout=settings.BRIDGE_INBOX_KICK_SECONDS):
            return
    except Exception:  # noqa: BLE001 - no cache: no kick; the minute sweep applies what is stored
        logger.warning("bridge: inbox kick skipped (cache unavailable); the sweep will apply")
        return
    try:
        apply_inbound_deliveries_task.delay()
    except Exception:  # noqa: BLE001 - the broker being down loses nothing: the sweep applies the rows
        logger.exception("bridge: could not queue the inbox apply; the sweep will apply")
        cache.delete(KICK_KEY)


# --- apply ---------------------------------------------------------------------------------------------------


def _open(*, retry_failed: bool):
    condition = Q(state=State.PENDING)
    if retry_failed:
        condition |= Q(state=State.FAILED, attempts__lt=settings.BRIDGE_INBOX_MAX_ATTEMPTS)
    return InboundDelivery.objects.filter(condition, endpoint=InboundDelivery.Endpoint.JOB_STATUS)


def _apply_one(delivery: InboundDelivery) -> tuple[str, str]:
    """Apply one stored status through the store's service in its own savepoint: (apply result, detail)."""
    from store.models import ServiceOrder
    from store.services import SYSTEM as STORE_SYSTEM
    from store.services.service_orders import service_order_status_apply

    message = delivery.message or {}
    try:
        with transaction.atomic():
            _, applied = service_order_status_apply(
                service_order=ServiceOrder(pk=message["service_order_id"]),
                status=message["status"],
                at=parse_datetime(message["at"]) if message.get("at") else None,
                note=message.get("note", ""),
                actor=STORE_SYSTEM,
                job_ref=message.get("job_id", ""),
            )
    except (SoftTimeLimitExceeded, OperationalError):
        raise  # out of time, a deadlock, a lost connection: the batch rolls back and stays pending
    except DomainError as exc:  # e.g. the order was deleted since the intake
        logger.warning("bridge: inbound delivery %s not applied: %s", delivery.pk, exc.detail)
        return ApplyResult.FAILED, f"{exc.code}: {exc.detail}"
    except Exception as exc:  # noqa: BLE001 - a bug: this row fails visibly, the others still apply
        logger.exception("bridge: inbound delivery %s failed", delivery.pk)
        return ApplyResult.FAILED, f"{type(exc).__name__}: {exc}"
    return (ApplyResult.APPLIED if applied else ApplyResult.IGNORED), ""


def inbound_apply_pending(*, limit: int = 500, retry_failed: bool = False, ids=None) -> int:
    """Apply stored job-status deliveries in id order, at most ``limit``, in batches: each batch locks its rows
    (``select_for_update(skip_locked=True)``: a row another applier holds is left to it) and applies each in its
    own savepoint, recording the outcome on the row (``done`` + applied/ignored, or ``failed`` with the error;
    attempts counted). A process dying mid-batch (or a deadlock, a lost connection) rolls the batch back: its rows
    stay pending. ``retry_failed``
    (the sweep, staff) also takes failed rows below ``BRIDGE_INBOX_MAX_ATTEMPTS``. Returns how many it took."""
    taken, last_id = 0, 0
    while taken < limit:
        outcomes: list[str] = []
        with transaction.atomic():
            queryset = _open(retry_failed=retry_failed).filter(pk__gt=last_id)
            if ids is not None:
                queryset = queryset.filter(pk__in=ids)
            batch = list(queryset.select_for_update(skip_locked=True).order_by("id")[: min(APPLY_BATCH, limit - taken)])
            # Taken in id order, applied by service order (then id): every applier locks orders in the same
            # order, so two appliers never deadlock; one order's deliveries keep their order.
            recorded: dict[tuple[str, str], list[int]] = defaultdict(list)  # (apply result, detail) -> row ids
            for delivery in sorted(batch, key=lambda d: ((d.message or {}).get("service_order_id") or 0, d.pk)):
                result, detail = _apply_one(delivery)
                recorded[(result, detail[:2000])].append(delivery.pk)
                outcomes.append(result)
            # One UPDATE per outcome (applied, ignored, each failure's error), not one per row.
            for (result, detail), row_ids in recorded.items():
                InboundDelivery.objects.filter(pk__in=row_ids).update(
                    state=State.FAILED if result == ApplyResult.FAILED else State.DONE,
                    apply_result=result,
                    detail=detail,
                    attempts=F("attempts") + 1,
                    processed_at=timezone.now(),
                )
        if not batch:
            break
        for result in outcomes:
            metrics.BRIDGE_DELIVERIES.labels("inbound", "job.status", result).inc()
        taken += len(batch)
        last_id = max(delivery.pk for delivery in batch)
    return taken


def inbound_apply_drain() -> int:
    """What the kicked task runs: delete the kick key, apply, and again until a round finds nothing (a delivery
    stored after the key was deleted kicks a task of its own). Past the budget it queues itself again."""
    budget = settings.BRIDGE_SWEEP_SECONDS
    started, total = time.monotonic(), 0
    while True:
        cache.delete(KICK_KEY)
        taken = inbound_apply_pending()
        total += taken
        if not taken:
            return total
        if time.monotonic() - started > budget:
            inbox_kick()  # more to do than the budget allows: a fresh task continues
            return total


def inbound_delivery_apply_now(*, actor, delivery: InboundDelivery) -> InboundDelivery:
    """Staff apply one pending (or failed) status delivery now, as the task would."""
    platform_admin_require(user=actor)
    if not inbound_apply_pending(limit=1, retry_failed=True, ids=[delivery.pk]):
        raise InvalidTransition("Only a pending or failed status delivery (not being applied) can be applied.")
    delivery.refresh_from_db()
    return delivery


def inbound_delivery_retry(*, actor, delivery: InboundDelivery) -> InboundDelivery:
    """Staff give a failed status delivery fresh attempts: pending again, applied by the next task."""
    platform_admin_require(user=actor)
    with transaction.atomic():
        updated = InboundDelivery.objects.filter(pk=delivery.pk, state=State.FAILED).update(
            state=State.PENDING, attempts=0
        )
        if not updated:
            raise InvalidTransition("Only a failed status delivery can be retried.")
        inbox_kick()
    delivery.refresh_from_db()
    return delivery


def inbox_gauge_collect() -> None:
    """Feed ``makrx_bridge_inbox{state}`` at scrape time (one grouped count over the open rows' index)."""
    from django.db.models import Count

    counts = dict(
        InboundDelivery.objects.filter(state__in=[State.PENDING, State.FAILED])
        .order_by()
        .values("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    for state in (State.PENDING, State.FAILED):
        metrics.BRIDGE_INBOX.labels(state).set(counts.get(state, 0))
