"""Sending notifications: ``notify()`` records one rendered notification per event and delivers it after commit.

Channels: in-app (the row itself, listed by the API), email (a Celery task on the ``notifications`` queue, sent
once per event under a row lock, retried on transient SMTP errors; low-priority kinds may wait for the digest)
and the makerspace's signed webhooks (``makrx.notifications.webhooks``). Nothing is queued before the caller's
transaction commits, and nothing exists at all when it rolls back.
"""

from __future__ import annotations

import json
import logging
import smtplib
import socket

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone

from makrx.errors import TransientError
from makrx.models import Notification, NotificationPreference, NotificationTemplate, WebhookDelivery, WebhookEndpoint
from makrx.notifications.registry import Kind, kind_get, kind_list

logger = logging.getLogger(__name__)

CHANNELS = ("email", "in_app", "digest")
ERROR_MAX = 500


class TransientDeliveryError(TransientError):
    """The mail server or webhook receiver failed in a way worth retrying."""


# --- rendering ---------------------------------------------------------------------------------------------------


class _ContextEncoder(DjangoJSONEncoder):
    """Stored contexts are JSON; a caller's stray object (a model, an enum) is kept as its text, not a crash."""

    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def _jsonable(context: dict) -> dict:
    return json.loads(json.dumps(context, cls=_ContextEncoder))


def _render(source: str, context: dict) -> str:
    return Template(source).render(Context(context, autoescape=False))


def _render_html(source: str, context: dict) -> str:
    return Template(source).render(Context(context, autoescape=True))


def template_sources(kind: Kind, makerspace_id: int | None) -> tuple[str, str, str]:
    """(subject, text, html) for ``kind``: the makerspace's active override, else the platform's, else the default."""
    overrides = NotificationTemplate.objects.filter(kind=kind.key, active=True).filter(
        Q(makerspace_id=makerspace_id) | Q(makerspace_id__isnull=True)
        if makerspace_id
        else Q(makerspace_id__isnull=True)
    )
    best = None
    for override in overrides:
        if best is None or (override.makerspace_id is not None and best.makerspace_id is None):
            best = override
    if best is None:
        return kind.subject, kind.text, kind.html
    return best.subject, best.text, best.html


def templates_render(*, subject: str, text: str, html: str, context: dict) -> tuple[str, str, str]:
    """Render the three templates; raises ``TemplateSyntaxError`` for a broken one."""
    return (
        " ".join(_render(subject, context).split())[:300],
        _render(text, context),
        _render_html(html, context) if html else "",
    )


def template_errors(*, subject: str, text: str, html: str = "") -> dict[str, list[str]]:
    """Syntax errors per field (empty when all three compile): the admin refuses a template that cannot render."""
    errors = {}
    for name, source in (("subject", subject), ("text", text), ("html", html)):
        try:
            Template(source or "")
        except TemplateSyntaxError as exc:
            errors[name] = [str(exc)]
    return errors


def sample_context(kind: Kind, *, user=None) -> dict:
    """The context a kind's templates are previewed and tested with."""
    name = user.display_name if user is not None else "Ada Lovelace"
    return {"user_name": name, **kind.sample}


def notification_preview(*, kind: str, subject: str, text: str, html: str = "", user=None) -> dict[str, str]:
    """The templates rendered with the kind's sample context (what the admin's preview shows)."""
    definition = kind_get(kind)
    rendered = templates_render(subject=subject, text=text, html=html, context=sample_context(definition, user=user))
    return dict(zip(("subject", "text", "html"), rendered, strict=True))


def _render_for(definition: Kind, makerspace_id, context: dict) -> tuple[str, str, str]:
    subject, text, html = template_sources(definition, makerspace_id)
    try:
        return templates_render(subject=subject, text=text, html=html, context=context)
    except TemplateSyntaxError:
        # An override saved before it was validated (or edited in the database) must not lose the message.
        logger.exception("notification template override of %s failed to render; using the default", definition.key)
        return templates_render(subject=definition.subject, text=definition.text, html=definition.html, context=context)


# --- preferences -------------------------------------------------------------------------------------------------


def channel_default(kind: Kind, channel: str) -> bool:
    """Without a stored choice: email and in-app on; the digest only for low-priority kinds when operators opt in."""
    if channel == "digest":
        return kind.priority == "low" and settings.NOTIFICATION_DIGEST_DEFAULT
    return True


def preferences_get(*, user_id: int, kinds: list[Kind] | None = None) -> dict[str, dict[str, bool]]:
    """{kind: {channel: enabled}} for every registered kind (stored choices over defaults)."""
    kinds = kinds if kinds is not None else kind_list()
    stored = {
        (row.kind, row.channel): row.enabled
        for row in NotificationPreference.objects.filter(user_id=user_id, kind__in=[k.key for k in kinds])
    }
    return {
        kind.key: {channel: stored.get((kind.key, channel), channel_default(kind, channel)) for channel in CHANNELS}
        for kind in kinds
    }


@transaction.atomic
def preferences_update(*, actor, user, changes: list[dict]) -> dict[str, dict[str, bool]]:
    """Store ``changes`` (``[{kind, email?, in_app?, digest?}]``) for ``user``; only the user changes their own."""
    from makrx.errors import PermissionDenied, ValidationError

    if actor is None or not getattr(actor, "is_authenticated", False) or actor.pk != user.pk:
        raise PermissionDenied("You may change only your own notification preferences.", code="own_preferences")
    errors: dict[str, list[str]] = {}
    rows = []
    for index, change in enumerate(changes):
        try:
            definition = kind_get(change["kind"])
        except LookupError:
            errors[f"preferences[{index}].kind"] = [f"Unknown notification kind {change['kind']!r}."]
            continue
        for channel in CHANNELS:
            if channel not in change:
                continue
            if channel == "digest" and change[channel] and definition.priority != "low":
                errors[f"preferences[{index}].digest"] = ["Only low-priority kinds can wait for the digest."]
                continue
            rows.append((definition.key, channel, bool(change[channel])))
    if errors:
        raise ValidationError("Some preferences are invalid.", errors=errors)
    for kind, channel, enabled in rows:
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, channel=channel, defaults={"enabled": enabled}
        )
    return preferences_get(user_id=user.pk)


# --- notify ------------------------------------------------------------------------------------------------------


def notify(user, kind: str, context: dict | None = None, *, makerspace=None) -> Notification | None:
    """Tell ``user`` about ``kind``: record it now, deliver once the current transaction commits.

    ``context`` holds plain JSON values (strings, numbers, lists, dicts) so delivery can move to a worker;
    ``makerspace`` (object or id, optional) picks that makerspace's template overrides and webhooks. A rollback
    removes the record and drops every delivery.
    """
    definition = kind_get(kind)  # unknown kinds fail loudly at the call site, not later in a worker
    if not hasattr(user, "email"):
        user = get_user_model().objects.filter(pk=user).first()
        if user is None:
            logger.warning("notification %s not recorded: no such user", kind)
            return None
    makerspace_id = getattr(makerspace, "pk", makerspace)
    payload = dict(context or {})
    render_context = {"user_name": user.display_name, **payload, "user": user}
    subject, body, html = _render_for(definition, makerspace_id, render_context)
    prefs = preferences_get(user_id=user.pk, kinds=[definition])[definition.key]
    if not prefs["email"] or not user.email:
        email_state = Notification.EmailState.SKIPPED
    elif definition.priority == "low" and prefs["digest"]:
        email_state = Notification.EmailState.DIGEST
    else:
        email_state = Notification.EmailState.PENDING
    with transaction.atomic():
        notification = Notification.objects.create(
            user=user,
            kind=kind,
            priority=definition.priority,
            makerspace_id=makerspace_id,
            subject=subject,
            body=body,
            html=html,
            context=_jsonable(payload),
            in_app=prefs["in_app"],
            email_state=email_state,
            email_to=user.email or "",
        )
        deliveries = []
        if makerspace_id is not None:
            endpoints = [
                e for e in WebhookEndpoint.objects.filter(makerspace_id=makerspace_id, active=True) if e.wants(kind)
            ]
            deliveries = WebhookDelivery.objects.bulk_create(
                [WebhookDelivery(endpoint=endpoint, notification=notification) for endpoint in endpoints]
            )
    send_email = email_state == Notification.EmailState.PENDING
    delivery_ids = [delivery.pk for delivery in deliveries]
    if send_email or delivery_ids:
        transaction.on_commit(lambda: _queue(notification.pk, send_email, delivery_ids), robust=True)
    return notification


def _queue(notification_id: int, send_email: bool, delivery_ids: list[int]) -> None:
    from makrx.tasks import send_notification_task, send_notification_webhook_task

    if send_email:
        send_notification_task.delay(notification_id)
    for delivery_id in delivery_ids:
        send_notification_webhook_task.delay(delivery_id)


# --- email -------------------------------------------------------------------------------------------------------


def _smtp_error_is_transient(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(400 <= code < 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | ConnectionError | socket.timeout)


def _send(*, to: str, subject: str, body: str, html: str) -> None:
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        if _smtp_error_is_transient(exc):
            raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from exc
        raise


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification unless already done: the row lock and the sent marker make a second run a no-op.

    A transient SMTP failure raises ``TransientDeliveryError`` (the task retries; the row stays pending); any
    other failure marks the notification ``failed`` with the error.
    """
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.email_state != Notification.EmailState.PENDING:
            return False
        try:
            _send(
                to=notification.email_to, subject=notification.subject, body=notification.body, html=notification.html
            )
        except TransientDeliveryError:
            raise
        except Exception as exc:  # noqa: BLE001 - a permanent refusal is recorded, not retried
            notification.email_state = Notification.EmailState.FAILED
            notification.email_error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
            notification.email_attempts += 1
            notification.save(update_fields=["email_state", "email_error", "email_attempts"])
            return False
        notification.email_state = Notification.EmailState.SENT
        notification.email_sent_at = timezone.now()
        notification.email_attempts += 1
        notification.save(update_fields=["email_state", "email_sent_at", "email_attempts"])
    return True


def notification_email_fail(*, notification_id: int, error: str, attempts: int) -> None:
    """Give up on a pending email after the last retry."""
    Notification.objects.filter(pk=notification_id, email_state=Notification.EmailState.PENDING).update(
        email_state=Notification.EmailState.FAILED, email_error=error[:ERROR_MAX], email_attempts=attempts
    )


def notification_email_retry(*, actor, notification: Notification) -> Notification:
    """Staff re-send a failed email (admin action): back to pending and queued after commit."""
    from makrx.auth import roles
    from makrx.errors import InvalidTransition, PermissionDenied

    if not roles.is_platform_admin(actor):
        raise PermissionDenied("Only platform administrators may re-send notifications.", code="not_platform_admin")
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.email_state != Notification.EmailState.FAILED:
            raise InvalidTransition("Only a failed email can be sent again.")
        locked.email_state = Notification.EmailState.PENDING
        locked.email_error = ""
        locked.save(update_fields=["email_state", "email_error"])
        transaction.on_commit(lambda: _queue(locked.pk, True, []), robust=True)
    return locked


def notification_digest_send(*, user_id: int) -> int:
    """Email one user every notification waiting for the digest, as one message; returns how many it carried."""
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update()
            .filter(user_id=user_id, email_state=Notification.EmailState.DIGEST)
            .order_by("created_at", "id")
        )
        if not waiting:
            return 0
        to = waiting[-1].email_to
        subject = f"Your MakrX digest: {len(waiting)} update{'s' if len(waiting) != 1 else ''}"
        sections = [f"{n.subject}\n{'-' * min(len(n.subject), 72)}\n{n.body.strip()}\n" for n in waiting]
        _send(to=to, subject=subject, body="\n".join(sections), html="")
        now = timezone.now()
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(
            email_state=Notification.EmailState.SENT, email_sent_at=now
        )
    return len(waiting)


def notification_digests_send() -> dict[str, int]:
    """Send every waiting digest (one email per user); a user whose server fails now is retried next run."""
    user_ids = (
        Notification.objects.filter(email_state=Notification.EmailState.DIGEST)
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )
    sent = users = failed = 0
    for user_id in list(user_ids):
        try:
            count = notification_digest_send(user_id=user_id)
        except TransientDeliveryError:
            failed += 1
            logger.warning("digest for user %s deferred: transient mail failure", user_id)
            continue
        if count:
            users += 1
            sent += count
    return {"users": users, "notifications": sent, "deferred": failed}


# --- in-app ------------------------------------------------------------------------------------------------------


def notification_read(*, actor, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (reading it twice keeps the first time)."""
    from makrx.errors import NotFound

    if actor is None or notification.user_id != getattr(actor, "pk", None):
        raise NotFound("No such notification.")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notification_read_all(*, actor) -> int:
    """Mark every unread notification of the actor read; returns how many changed."""
    from makrx.errors import PermissionDenied

    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in to read notifications.")
    return Notification.objects.filter(user_id=actor.pk, in_app=True, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- template overrides ------------------------------------------------------------------------------------------


@transaction.atomic
def notification_template_save(
    *, actor, template: NotificationTemplate | None = None, **fields
) -> NotificationTemplate:
    """Create or change a template override: platform-wide by platform admins, per makerspace by its managers."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    from makrx.auth import scoping
    from makrx.errors import ValidationError

    template = template or NotificationTemplate()
    for check_id in {template.makerspace_id, fields.get("makerspace_id", template.makerspace_id)}:
        if actor is scoping.SYSTEM:
            continue
        if check_id is None:
            scoping.platform_admin_require(user=actor)
        else:
            scoping.makerspace_manager_require(user=actor, makerspace_id=check_id)
    for name, value in fields.items():
        setattr(template, name, value)
    try:
        kind_get(template.kind)
    except LookupError:
        raise ValidationError(
            "Unknown notification kind.", errors={"kind": [f"Unknown kind {template.kind!r}."]}
        ) from None
    errors = template_errors(subject=template.subject, text=template.text, html=template.html)
    if errors:
        raise ValidationError("The template does not compile.", errors=errors)
    duplicate = NotificationTemplate.objects.filter(kind=template.kind, makerspace_id=template.makerspace_id)
    if duplicate.exclude(pk=template.pk).exists():
        from makrx.errors import ConflictError

        raise ConflictError("This kind already has an override for that scope.", code="duplicate")
    try:
        template.full_clean(validate_constraints=False)
    except DjangoValidationError as exc:
        raise ValidationError("Invalid template.", errors=exc.message_dict) from None
    template.save()
    return template


# --- sweep -------------------------------------------------------------------------------------------------------


def notifications_stuck_list(*, older_than) -> tuple[list[int], list[int]]:
    """Ids of emails and webhook deliveries still pending since before ``older_than`` (their queue message was lost:
    a broker outage at commit, a purged queue). Longer than the longest retry backoff, so no retry is cut short."""
    emails = list(
        Notification.objects.filter(email_state=Notification.EmailState.PENDING, created_at__lt=older_than)
        .order_by("id")
        .values_list("id", flat=True)[:1000]
    )
    deliveries = list(
        WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, created_at__lt=older_than)
        .order_by("id")
        .values_list("id", flat=True)[:1000]
    )
    return emails, deliveries
