"""Bridge Celery tasks (queue ``bridge``): deliver one message, the minute sweep and the nightly retention.
All are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from bridge.services.outbox import outbox_deliver, outbox_retention_purge, outbox_sweep


@shared_task(acks_late=True, ignore_result=True)
def deliver_message_task(message_id: int) -> str:
    return outbox_deliver(message_id=message_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox_task() -> dict:
    return outbox_sweep()


@shared_task(acks_late=True, ignore_result=True)
def retention_task() -> dict:
    return outbox_retention_purge()
