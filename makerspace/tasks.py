"""Scheduled makerspace housekeeping: subscriptions, skill expiry, maintenance windows and intervals, badges.

Each task runs its service as ``SYSTEM`` (the services document that path) and is safe to run twice.
A lost database connection or a failover (``OperationalError``, ``InterfaceError``) is raised again as
``TransientError``, so the autoretry really retries it; anything else is a bug and fails the task.
"""

from __future__ import annotations

from collections.abc import Callable

from celery import shared_task
from django.db import InterfaceError, OperationalError

from makerspace.services import approval as approval_services
from makerspace.services import badges as badge_services
from makerspace.services import intervals as interval_services
from makerspace.services import inventory as inventory_services
from makerspace.services import maintenance as maintenance_services
from makerspace.services import plans as plan_services
from makerspace.services import project_views
from makerspace.services import reservations as reservation_services
from makerspace.services import skills as skill_services
from makerspace.services import waitlist as waitlist_services
from makrx.errors import TransientError

RETRY = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (TransientError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


def run_retrying_database_errors(job: Callable[[], int]) -> int:
    """Run ``job``; database connection trouble becomes TransientError (retried), other errors pass through."""
    try:
        return job()
    except (OperationalError, InterfaceError) as exc:
        raise TransientError(f"database unavailable: {exc}") from exc


@shared_task(**RETRY)
def expire_subscriptions_task(self) -> int:
    """Expire ended subscriptions, renewing those with auto_renew; safe to run twice (each row is locked and re-checked)."""
    return run_retrying_database_errors(plan_services.subscriptions_expire_due)


@shared_task(**RETRY)
def expire_member_skills_task(self) -> int:
    """Mark expired skill grants and notify their members once (``expiry_notified_at``)."""
    return run_retrying_database_errors(skill_services.member_skills_expire_due)


@shared_task(**RETRY)
def apply_maintenance_windows_task(self) -> int:
    """Put machines into maintenance when a window starts and back when it ends; idempotent."""
    return run_retrying_database_errors(maintenance_services.maintenance_windows_apply)


@shared_task(**RETRY)
def award_badges_task(self) -> int:
    """Award every badge whose criteria now hold (sessions finished since the last run); never twice."""
    return run_retrying_database_errors(lambda: len(badge_services.badges_award()))


@shared_task(**RETRY)
def open_preventive_maintenance_task(self) -> int:
    """Open the preventive maintenance tickets that fell due; at most one per interval and due date."""
    return run_retrying_database_errors(interval_services.preventive_tickets_open_due)


@shared_task(**RETRY)
def release_pending_reservations_task(self) -> int:
    """Release pending bookings nobody decided in time (each row locked and re-checked: safe to run twice)."""
    return run_retrying_database_errors(approval_services.reservations_release_due)


@shared_task(**RETRY)
def send_reservation_reminders_task(self) -> int:
    """Remind members before confirmed bookings, once per reservation (``reminder_sent_at`` claimed atomically)."""
    return run_retrying_database_errors(reservation_services.reservation_reminders_send)


@shared_task(**RETRY)
def expire_waitlist_offers_task(self) -> int:
    """Pass lapsed waiting-list offers to the next in line (each machine locked and re-checked: safe to run twice)."""
    return run_retrying_database_errors(waitlist_services.waitlist_offers_expire_due)


@shared_task(**RETRY)
def notify_low_stock_task(self) -> int:
    """Tell staff about items that fell to their reorder level, once per crossing (the item keeps the mark)."""
    return run_retrying_database_errors(inventory_services.low_stock_notify_due)


@shared_task(**RETRY)
def flush_project_views_task(self) -> int:
    """Move the view counts gathered in the cache into the database (``ProjectViewDay``, ``view_count``)."""
    return run_retrying_database_errors(project_views.project_views_flush)


@shared_task(**RETRY)
def draft_monthly_invoices_task(self) -> int:
    """Draft (and with ``INVOICE_AUTO_ISSUE`` issue) each member's invoice of the previous month; idempotent."""
    from django.conf import settings

    from makerspace.services import invoices as invoice_services

    return run_retrying_database_errors(
        lambda: invoice_services.invoices_draft_monthly(issue=settings.INVOICE_AUTO_ISSUE)
    )


@shared_task(**RETRY)
def notify_overdue_invoices_task(self) -> int:
    """Remind members once of issued invoices past their due date."""
    from makerspace.services import invoices as invoice_services

    return run_retrying_database_errors(invoice_services.invoices_overdue_notify)
