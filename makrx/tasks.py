"""Platform housekeeping tasks."""

from celery import shared_task

from makrx.idempotency import idempotency_keys_purge


@shared_task(bind=True, acks_late=True)
def purge_idempotency_keys_task(self) -> int:
    return idempotency_keys_purge()
