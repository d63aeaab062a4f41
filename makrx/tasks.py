"""Platform housekeeping tasks."""

from celery import shared_task

from makrx.idempotency import idempotency_keys_purge


@shared_task(acks_late=True)
def purge_idempotency_keys_task() -> int:
    return idempotency_keys_purge()
