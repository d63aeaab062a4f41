"""Platform tasks: housekeeping and notification delivery (email, digest, webhooks) on the ``notifications`` queue."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from makrx.idempotency import idempotency_keys_purge
from makrx.notifications import services as notification_services
from makrx.notifications import webhooks
from makrx.notifications.services import TransientDeliveryError


@shared_task(bind=True, acks_late=True)
def purge_idempotency_keys_task(self) -> int:
    return idempotency_keys_purge()


def _backoff(retries: int) -> int:
    # 30 s, 60 s, 120 s, … capped at an hour; Celery adds no jitter on manual retries, so add a little.
    import random

    return min(3600, 30 * 2**retries) + random.randint(0, 15)  # noqa: S311 - jitter, not security


def _deliver(task, attempt, give_up) -> bool:
    """Run ``attempt``; on a transient failure retry with backoff, and after the last retry ``give_up``."""
    try:
        return attempt()
    except TransientDeliveryError as exc:
        if task.request.retries >= task.max_retries:
            give_up(str(exc), task.request.retries + 1)
            return False
        if task.request.is_eager:
            # Eager (development, tests): no broker holds a delayed retry, so try again at once.
            return task.apply(args=task.request.args, retries=task.request.retries + 1).get()
        raise task.retry(exc=exc, countdown=_backoff(task.request.retries)) from exc


@shared_task(bind=True, acks_late=True, max_retries=settings.NOTIFICATION_MAX_RETRIES)
def send_notification_task(self, notification_id: int) -> bool:
    """Email one notification; safe to run twice (the second run finds it sent); transient SMTP errors retry."""
    return _deliver(
        self,
        lambda: notification_services.notification_email_send(notification_id=notification_id),
        lambda error, attempts: notification_services.notification_email_fail(
            notification_id=notification_id, error=error, attempts=attempts
        ),
    )


@shared_task(bind=True, acks_late=True, max_retries=settings.NOTIFICATION_MAX_RETRIES)
def send_notification_webhook_task(self, delivery_id: int) -> bool:
    """Post one webhook delivery; safe to run twice; timeouts, 429 and 5xx retry with backoff."""
    return _deliver(
        self,
        lambda: webhooks.webhook_deliver(delivery_id=delivery_id),
        lambda error, attempts: webhooks.webhook_delivery_fail(delivery_id=delivery_id),
    )


@shared_task(bind=True, acks_late=True)
def send_notification_digest_task(self) -> dict:
    """Periodic: one email per user with every low-priority notification waiting for the digest."""
    return notification_services.notification_digests_send()


@shared_task(bind=True, acks_late=True)
def send_notification_sweep_task(self) -> dict:
    """Periodic: queue again the emails and webhook posts pending for over 2 hours (a lost queue message).

    Safe with the original still queued: delivery takes the row lock and the sent marker, so it happens once.
    """
    from datetime import timedelta

    from django.utils import timezone

    emails, deliveries = notification_services.notifications_stuck_list(older_than=timezone.now() - timedelta(hours=2))
    for notification_id in emails:
        send_notification_task.delay(notification_id)
    for delivery_id in deliveries:
        send_notification_webhook_task.delay(delivery_id)
    return {"emails": len(emails), "webhooks": len(deliveries)}
