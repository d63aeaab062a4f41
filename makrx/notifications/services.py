"""Sending notifications: ``notify()`` renders a registered kind for one user and delivers it after commit.

Email only for now, through Django's mail; the in-app list, preferences and webhooks build on this
same call (issue "Notifications, analytics"), so callers never change.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template import Context, Template

from makrx.notifications.registry import kind_get

logger = logging.getLogger(__name__)


def _render(source: str, context: dict) -> str:
    return Template(source).render(Context(context, autoescape=False))


def notify(user, kind: str, context: dict | None = None, *, makerspace=None) -> None:
    """Tell ``user`` about ``kind`` once the current transaction commits (nothing is sent if it rolls back).

    ``context`` holds plain JSON values (strings, numbers, lists, dicts) so delivery can move to a
    worker; ``makerspace`` (optional) names the space whose templates and settings apply.
    """
    kind_get(kind)  # unknown kinds fail loudly at the call site, not later in a worker
    user_id = getattr(user, "pk", user)
    makerspace_id = getattr(makerspace, "pk", makerspace)
    payload = dict(context or {})
    transaction.on_commit(
        lambda: notification_deliver(user_id=user_id, kind=kind, context=payload, makerspace_id=makerspace_id)
    )


def notification_deliver(*, user_id: int, kind: str, context: dict, makerspace_id: int | None = None) -> bool:
    """Render and email one notification; False when the user has no address."""
    definition = kind_get(kind)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not user.email:
        logger.info("notification %s not emailed: user %s has no address", kind, user_id)
        return False
    full_context = {"user": user, "user_name": user.display_name, **context}
    send_mail(
        subject=" ".join(_render(definition.subject, full_context).split()),
        message=_render(definition.text, full_context),
        html_message=_render(definition.html, full_context) if definition.html else None,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
        fail_silently=False,
    )
    return True
