"""Bridge Celery tasks (queue ``bridge``): deliver one message, apply the inbox, the minute sweep and the nightly
retention. All are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from bridge.services.inbox import inbound_apply_drain, inbound_apply_pending
from bridge.services.outbox import outbox_deliver, outbox_retention_purge, outbox_sweep


@shared_task(acks_late=True, ignore_result=True)
def deliver_message_task(message_id: int) -> str:
    return outbox_deliver(message_id=message_id)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=50, time_limit=60)
def apply_inbound_deliveries_task() -> int:
    """Kicked by a status delivery's intake: apply the stored deliveries until none is pending."""
    return inbound_apply_drain()


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox_task() -> dict:
    """The minute sweep: due outbox messages, then the inbox rows a lost kick left (and failed ones to retry)."""
    results = outbox_sweep()
    applied = inbound_apply_pending(retry_failed=True)
    return {**results, "inbox_applied": applied} if applied else results


@shared_task(acks_late=True, ignore_result=True)
def retention_task() -> dict:
    return outbox_retention_purge()
