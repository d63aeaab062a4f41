"""The job-status inbox: a verified delivery is stored in one statement (its log row is the inbox row) and applied
after the request by ``inbound_apply_pending`` (a kicked task, and the minute sweep for what a lost kick left).

Why: a status delivery used to lock and update the service order, write its timeline, notify the customer and
log, all before answering (~15 statements). The makerspace only needs to know the delivery is safe; a slow
notification or a locked order no longer makes it wait or retry.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import defaultdict

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from bridge.models import InboundDelivery
from makrx import metrics
from makrx.auth.scoping import platform_admin_require
from makrx.errors import DomainError, InvalidTransition

logger = logging.getLogger("bridge.inbox")

State = InboundDelivery.State
ApplyResult = InboundDelivery.ApplyResult
# Set while an apply task is queued or draining; an intake publishes a task only when it adds the key.
KICK_KEY = "bridge:inbox:kick"
APPLY_BATCH = 50


# --- intake --------------------------------------------------------------------------------------------------


@functools.cache
def _intake_sql(columns: tuple[str, ...]) -> str:
    """The intake statement for these columns (names from ``_meta``; built once per process)."""
    from store.models import ServiceOrder

    quote = connection.ops.quote_name
    delivery, order = InboundDelivery._meta, ServiceOrder._meta
    fields = [delivery.get_field(name) for name in columns]
    order_pk, order_status = quote(order.pk.column), quote(order.get_field("status").column)
    values = ", ".join(f"CAST(%s AS {field.cast_db_type(connection)})" for field in fields)
    return (
        f"WITH so AS (SELECT {order_pk}, {order_status} FROM {quote(order.db_table)} WHERE {order_pk} = %s), "  # noqa: S608
        f"ins AS (INSERT INTO {quote(delivery.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {values} FROM so ON CONFLICT ({quote(delivery.get_field('dedupe_key').column)}) DO NOTHING "
        f"RETURNING {quote(delivery.pk.column)}) "
        f"SELECT (SELECT {order_status} FROM so), (SELECT {quote(delivery.pk.column)} FROM ins)"
    )


def inbox_store(*, service_order_id: int, row: dict) -> tuple[str | None, int | None]:
    """Store a delivery (``row``: the ``InboundDelivery`` fields) as pending, if its service order exists and its
    ``dedupe_key`` is new: ONE statement, in autocommit when no transaction is open. Returns the order's status
    (None: no such order, nothing stored) and the new row's id (None: the key exists, a duplicate). A concurrent
    insert of the same key waits on the unique index, then counts as the duplicate."""
    delivery = InboundDelivery._meta
    defaults = {field.name: field.get_default() for field in delivery.concrete_fields if not field.primary_key}
    row = {**defaults, **row, "state": State.PENDING}
    columns = tuple(row)
    params = [service_order_id] + [delivery.get_field(name).get_db_prep_save(row[name], connection) for name in columns]
    with connection.cursor() as cursor:
        cursor.execute(_intake_sql(columns), params)
        status, delivery_id = cursor.fetchone()
    if delivery_id is not None:
        inbox_kick()
    return status, delivery_id


def inbox_kick() -> None:
    """Once the current transaction commits (at once in autocommit), make sure an apply task will run."""
    transaction.on_commit(_kick, robust=True)


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
