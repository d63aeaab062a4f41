"""Notification reads: a user's in-app list, their unread count, one of their notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from makrx.errors import NotFound
from makrx.models import Notification

LIST_FIELDS = ("id", "kind", "priority", "makerspace_id", "subject", "body", "context", "created_at", "read_at")


def notification_list(*, user, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first; ``unread`` True/False filters on ``read_at``."""
    qs = Notification.objects.filter(user_id=user.pk, in_app=True).only(*LIST_FIELDS).order_by("-created_at", "-id")
    if unread is not None:
        qs = qs.filter(read_at__isnull=unread)
    return qs


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(user_id=user.pk, in_app=True, read_at__isnull=True).count()


def notification_get(*, user, notification_id: int) -> Notification:
    """One of the user's own in-app notifications; anyone else's is not found (404)."""
    notification = Notification.objects.filter(pk=notification_id, user_id=user.pk, in_app=True).first()
    if notification is None:
        raise NotFound("No such notification.")
    return notification
