"""Scheduled makerspace housekeeping: subscription expiry/renewal and skill expiry notices."""

from __future__ import annotations

from celery import shared_task

from makerspace.services import maintenance as maintenance_services
from makerspace.services import plans as plan_services
from makerspace.services import skills as skill_services
from makrx.errors import TransientError


@shared_task(
    bind=True, acks_late=True, autoretry_for=(TransientError,), retry_backoff=True, retry_jitter=True, max_retries=5
)
def expire_subscriptions_task(self) -> int:
    """Expire ended subscriptions, renewing those with auto_renew; safe to run twice (each row is locked and re-checked)."""
    return plan_services.subscriptions_expire_due()


@shared_task(
    bind=True, acks_late=True, autoretry_for=(TransientError,), retry_backoff=True, retry_jitter=True, max_retries=5
)
def expire_member_skills_task(self) -> int:
    """Mark expired skill grants and notify their members once (``expiry_notified_at``)."""
    return skill_services.member_skills_expire_due()


@shared_task(
    bind=True, acks_late=True, autoretry_for=(TransientError,), retry_backoff=True, retry_jitter=True, max_retries=5
)
def apply_maintenance_windows_task(self) -> int:
    """Put machines into maintenance when a window starts and back when it ends; idempotent."""
    return maintenance_services.maintenance_windows_apply()
