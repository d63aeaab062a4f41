"""Store background work."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from store.services.cart import carts_purge_abandoned
from store.services.orders import orders_release_expired
from store.services.payments import webhook_rejected_purge


@shared_task(
    bind=True,
    acks_late=True,
    # What a lost or refused database connection raises; a retry on a fresh connection usually succeeds.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=180,
)
def release_expired_orders_task(self) -> int:
    """Cancel unpaid orders past their payment deadline and release their stock (safe to run twice)."""
    return orders_release_expired()


@shared_task(bind=True, acks_late=True, soft_time_limit=300, time_limit=360)
def purge_abandoned_carts_task(self) -> int:
    """Delete anonymous carts nobody came back to (safe to run twice)."""
    return carts_purge_abandoned()


@shared_task(bind=True, acks_late=True, soft_time_limit=300, time_limit=360)
def purge_rejected_webhooks_task(self) -> int:
    """Delete digests of webhook deliveries that failed verification, past their retention (safe to run twice)."""
    return webhook_rejected_purge()


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
    # The measuring child process has its own limit (GEOMETRY_TIME_LIMIT_SECONDS); these bound the task around it.
    soft_time_limit=600,
    time_limit=660,
)
def measure_upload_task(self, upload_id: int) -> str | None:
    """Measure one processing upload (a no-op when it was measured already)."""
    from store.services.uploads import upload_measure

    upload = upload_measure(upload_id=upload_id)
    return upload.status if upload is not None else None


@shared_task(bind=True, acks_late=True, soft_time_limit=300, time_limit=360)
def expire_uploads_task(self) -> int:
    """Delete uploads no quote refers to after UPLOAD_RETENTION_DAYS (safe to run twice)."""
    from store.services.uploads import uploads_expire

    return uploads_expire()
