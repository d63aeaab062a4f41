"""The outbox: write a message in the causing transaction, deliver it after commit, retry, sweep, re-queue.

A message is *claimed* before it is sent: under a row lock (``skip_locked``) its ``locked_until`` is set, so a
second worker or sweep leaves it alone while it is in flight; a worker killed mid-send leaves the claim to
expire and the sweep takes the message back (the receiver dedupes by ``event_id``, so it is applied once).
Per ``destination`` + ``key`` a message waits while an older one is undelivered (pending or failed).
"""

from __future__ import annotations

import logging
import random
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from bridge.models import DeliveryAttempt, InboundDelivery, OutboxMessage, ReceivedEvent
from bridge.selectors.outbox import outbox_counts
from bridge.services import transports
from makrx import metrics
from makrx.auth.scoping import platform_admin_require
from makrx.errors import InvalidTransition
from makrx.logging import current_request_id

logger = logging.getLogger("bridge.outbox")

Status = OutboxMessage.Status
UNDELIVERED = (Status.PENDING, Status.FAILED)
# A sweep claims this many at a time, so a message it has no time left for is not held for long.
SWEEP_CLAIM = 50


def outbox_write(*, kind: str, destination: str, key: str, payload: dict) -> OutboxMessage:
    """Write a message in the current transaction; its delivery is queued once that transaction commits."""
    message = OutboxMessage.objects.create(
        kind=kind, destination=destination, key=key[:100], payload=payload, request_id=current_request_id() or ""
    )
    transaction.on_commit(lambda: _queue(message.pk), robust=True)
    return message


def _queue(message_id: int, countdown: float | None = None) -> None:
    from bridge.tasks import deliver_message_task

    if countdown and settings.CELERY_TASK_ALWAYS_EAGER:
        return  # eager tasks cannot wait: the sweep picks the retry up when it is due
    try:
        deliver_message_task.apply_async(args=[message_id], countdown=countdown)
    except Exception:  # noqa: BLE001 - the broker being down loses nothing: the sweep finds the row
        logger.exception("bridge: could not queue message %s; the sweep will deliver it", message_id)


def _older_undelivered():
    return OutboxMessage.objects.filter(
        destination=OuterRef("destination"), key=OuterRef("key"), id__lt=OuterRef("id"), status__in=UNDELIVERED
    )


def _due(now):
    return (
        OutboxMessage.objects.filter(status__in=UNDELIVERED, next_attempt_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .filter(~Exists(_older_undelivered()))
    )


def _claim(queryset, *, now, limit: int) -> list[OutboxMessage]:
    """Lock due messages (skipping rows another worker holds), mark them in flight and return them."""
    with transaction.atomic():
        messages = list(queryset.select_for_update(skip_locked=True).order_by("id")[:limit])
        if messages:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
                locked_until=now + timedelta(seconds=settings.BRIDGE_IN_FLIGHT_SECONDS),
                attempts=F("attempts") + 1,
                updated_at=now,
            )
            for message in messages:
                message.attempts += 1
    return messages


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter: base × 2^(attempts-1), capped, then a random 50–100 % of it."""
    delay = min(settings.BRIDGE_BACKOFF_CAP_SECONDS, settings.BRIDGE_BACKOFF_BASE_SECONDS * (2 ** max(0, attempts - 1)))
    return random.uniform(delay / 2, delay)  # noqa: S311 - jitter, not security


def outbox_deliver(*, message_id: int) -> str:
    """Deliver one message if it is due, not in flight and not behind an older one of its key. Safe to run
    twice or concurrently: only one caller claims it. Returns what happened (``sent``, ``retry``, ``dead``,
    ``skipped``)."""
    now = timezone.now()
    claimed = _claim(_due(now).filter(pk=message_id), now=now, limit=1)
    if not claimed:
        return "skipped"
    return _send(claimed[0])


def outbox_sweep(*, now=None, limit: int | None = None, budget_seconds: float | None = None) -> dict[str, int]:
    """Deliver what is due and not in flight (lost broker messages, retries, claims of killed workers), in small
    claimed batches until ``limit`` messages or ``budget_seconds`` (inside the task's time limit). Two sweeps at
    once never take the same message (``skip_locked``)."""
    now = now or timezone.now()
    limit = limit or settings.BRIDGE_SWEEP_BATCH
    budget = settings.BRIDGE_SWEEP_SECONDS if budget_seconds is None else budget_seconds
    started = time.monotonic()
    results: dict[str, int] = {}
    seen: list[int] = []  # each message at most once per sweep
    while len(seen) < limit:
        batch = _claim(_due(now).exclude(pk__in=seen), now=now, limit=min(SWEEP_CLAIM, limit - len(seen)))
        if not batch:
            break
        seen.extend(message.pk for message in batch)
        for index, message in enumerate(batch):
            if time.monotonic() - started > budget:
                _release(batch[index:])
                return results
            result = _send(message)
            results[result] = results.get(result, 0) + 1
    return results


def _release(messages: list[OutboxMessage]) -> None:
    """Give back claims the sweep had no time left for (not an attempt)."""
    OutboxMessage.objects.filter(pk__in=[m.pk for m in messages], status__in=UNDELIVERED).update(
        locked_until=None, attempts=F("attempts") - 1
    )


def _send(message: OutboxMessage) -> str:
    started = time.monotonic()
    outcome = transports.transport_send(message)
    duration_ms = int((time.monotonic() - started) * 1000)
    return _record(message, outcome, duration_ms)


@transaction.atomic
def _record(message: OutboxMessage, outcome: transports.Outcome, duration_ms: int) -> str:
    now = timezone.now()
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if outcome.ok:
        result = DeliveryAttempt.Result.SENT
        message.status = Status.SENT
        message.sent_at = now
        message.response = outcome.body
        message.last_error = outcome.error  # empty for 2xx; a settled refusal (409 to a cancel) stays visible
    elif outcome.retry and message.attempts < settings.BRIDGE_MAX_ATTEMPTS:
        result = DeliveryAttempt.Result.RETRY
        message.status = Status.FAILED
        message.next_attempt_at = now + timedelta(seconds=backoff_seconds(message.attempts))
        message.last_error = outcome.error
    else:
        result = DeliveryAttempt.Result.DEAD
        message.status = Status.DEAD
        message.last_error = outcome.error
    message.locked_until = None
    message.last_status_code = outcome.status_code
    message.save()
    DeliveryAttempt.objects.create(
        message=message,
        number=message.attempts,
        transport=outcome.transport,
        url=outcome.url[:500],
        status_code=outcome.status_code,
        result=result,
        error=outcome.error[:2000],
        response_body=outcome.raw[:4000],
        duration_ms=duration_ms,
    )
    metrics.BRIDGE_DELIVERIES.labels("outbound", message.kind, result).inc()
    if result == DeliveryAttempt.Result.SENT:
        from bridge.services.handlers import message_delivered

        message_delivered(message)
        following = (
            OutboxMessage.objects.filter(
                destination=message.destination, key=message.key, id__gt=message.pk, status__in=UNDELIVERED
            )
            .order_by("id")
            .values_list("pk", flat=True)
            .first()
        )
        if following is not None:  # the next message of this key was waiting for this one
            transaction.on_commit(lambda: _queue(following), robust=True)
    elif result == DeliveryAttempt.Result.RETRY:
        delay = max(0.0, (message.next_attempt_at - now).total_seconds())
        transaction.on_commit(lambda: _queue(message.pk, countdown=delay), robust=True)
    else:
        logger.warning("bridge: message %s (%s) is dead: %s", message.message_id, message.kind, outcome.error)
    return result


@transaction.atomic
def outbox_requeue(*, actor, message: OutboxMessage) -> OutboxMessage:
    """Platform administrators give a dead (or failed) message a fresh set of attempts, due now (the bridge serves
    every makerspace and the store: a makerspace's staff are admin users too, but not of this)."""
    platform_admin_require(user=actor)
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status not in (Status.DEAD, Status.FAILED):
        raise InvalidTransition(f"A {message.status} message cannot be re-queued.")
    message.status = Status.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.locked_until = None
    message.save()
    transaction.on_commit(lambda: _queue(message.pk), robust=True)
    return message


RETENTION_BATCH = 1000


def _delete_in_batches(queryset, batch: int) -> dict[str, int]:
    """Delete what ``queryset`` matches, ``batch`` rows per transaction (short locks, no huge cascade);
    the counts per model label, cascades included. Running it again deletes what is left: idempotent."""
    model = queryset.model
    counts: dict[str, int] = {}
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return counts
        with transaction.atomic():
            _, per_model = model.objects.filter(pk__in=ids).delete()
        for label, count in per_model.items():
            counts[label] = counts.get(label, 0) + count


def outbox_retention_purge(*, now=None, batch: int = RETENTION_BATCH) -> dict[str, int]:
    """Forget what is done and older than ``BRIDGE_RETENTION_DAYS``: ``sent`` messages (their attempts with
    them), inbound delivery logs, and ``event:`` dedupe keys (a replay that old is refused as stale anyway).
    Dead, failed and pending messages stay until handled, so do inbox rows not applied yet; legacy/idempotency
    keys stay (they have no freshness window), on ``ReceivedEvent`` and on inbox rows. Returns the deleted
    counts."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.BRIDGE_RETENTION_DAYS)
    deleted: dict[str, int] = {}
    for queryset in (
        OutboxMessage.objects.filter(status=Status.SENT, sent_at__lt=cutoff),
        InboundDelivery.objects.filter(created_at__lt=cutoff)
        .exclude(state__in=[InboundDelivery.State.PENDING, InboundDelivery.State.FAILED])  # not applied yet
        .exclude(Q(dedupe_key__isnull=False) & ~Q(dedupe_key__startswith="event:")),  # an older sender's key
        ReceivedEvent.objects.filter(key__startswith="event:", created_at__lt=cutoff),
    ):
        for label, count in _delete_in_batches(queryset, batch).items():
            deleted[label] = deleted.get(label, 0) + count
    if deleted:
        logger.info("bridge: retention deleted %s", deleted)
    return deleted


def outbox_gauge_collect() -> None:
    """Feed ``makrx_bridge_messages{destination, state}`` at scrape time (one grouped query)."""
    counts = outbox_counts()
    for destination in OutboxMessage.Destination.values:
        for state in Status.values:
            metrics.BRIDGE_MESSAGES.labels(destination, state).set(counts.get((destination, state), 0))
