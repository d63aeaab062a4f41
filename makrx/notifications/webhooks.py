"""Outgoing signed webhooks: each makerspace's endpoints receive its notifications as signed JSON posts.

The body is JSON (Slack reads ``text``, Discord ``content``; integrations read the rest) and carries ``sent_at``;
``X-MakrX-Signature: sha256=<hex>`` is HMAC-SHA256 of the raw body with the endpoint's secret, so a receiver
verifies it in constant time and rejects old ``sent_at`` values to stop replays.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets

import requests
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from makrx.auth import scoping
from makrx.errors import ValidationError
from makrx.models import WebhookDelivery, WebhookEndpoint
from makrx.notifications.registry import kind_get
from makrx.notifications.services import ERROR_MAX, TransientDeliveryError

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-MakrX-Signature"


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(delivery: WebhookDelivery) -> bytes:
    notification = delivery.notification
    summary = f"{notification.subject}\n{notification.body}".strip()
    payload = {
        "delivery_id": delivery.pk,
        "notification_id": notification.pk,
        "kind": notification.kind,
        "priority": notification.priority,
        "makerspace_id": notification.makerspace_id,
        "created_at": notification.created_at,
        "sent_at": timezone.now(),
        "subject": notification.subject,
        "body": notification.body,
        "context": notification.context,
        "text": summary,
        "content": summary[:2000],
    }
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def webhook_deliver(*, delivery_id: int) -> bool:
    """Post one delivery unless it is already done; the row lock makes a second run a no-op.

    Network errors, timeouts, 429 and 5xx raise ``TransientDeliveryError`` (the task retries); any other non-2xx
    answer marks the delivery failed.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint", "notification")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.state != WebhookDelivery.State.PENDING:
            return False
        body = webhook_body(delivery)
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: webhook_signature(delivery.endpoint.secret, body),
            "X-MakrX-Event": delivery.notification.kind,
            "X-MakrX-Delivery": str(delivery.pk),
        }
        delivery.attempts += 1
        try:
            response = requests.post(
                delivery.endpoint.url,
                data=body,
                headers=headers,
                timeout=settings.NOTIFICATION_WEBHOOK_TIMEOUT_SECONDS,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                attempts=delivery.attempts, last_error=f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
            )
            transient = TransientDeliveryError(f"{type(exc).__name__}: {exc}")
        else:
            delivery.last_status = response.status_code
            if 200 <= response.status_code < 300:
                delivery.state = WebhookDelivery.State.DELIVERED
                delivery.delivered_at = timezone.now()
                delivery.last_error = ""
                delivery.save(update_fields=["state", "delivered_at", "attempts", "last_status", "last_error"])
                return True
            delivery.last_error = response.text[:ERROR_MAX]
            if response.status_code == 429 or response.status_code >= 500:
                delivery.save(update_fields=["attempts", "last_status", "last_error"])
                transient = TransientDeliveryError(f"HTTP {response.status_code}")
            else:
                delivery.state = WebhookDelivery.State.FAILED
                delivery.save(update_fields=["state", "attempts", "last_status", "last_error"])
                return False
    # Raised after the commit so the attempt and its error stay recorded.
    raise transient


def webhook_delivery_fail(*, delivery_id: int) -> None:
    """Give up on a delivery after the last retry."""
    WebhookDelivery.objects.filter(pk=delivery_id, state=WebhookDelivery.State.PENDING).update(
        state=WebhookDelivery.State.FAILED
    )


def _require_manager(actor, makerspace_id) -> None:
    if actor is scoping.SYSTEM:
        return
    scoping.makerspace_manager_require(user=actor, makerspace_id=makerspace_id)


@transaction.atomic
def webhook_endpoint_save(*, actor, endpoint: WebhookEndpoint | None = None, **fields) -> WebhookEndpoint:
    """Create or change a makerspace's webhook endpoint (its managers or platform admins); a secret is generated
    when none is given."""
    endpoint = endpoint or WebhookEndpoint()
    if endpoint.pk:
        _require_manager(actor, endpoint.makerspace_id)
    for name, value in fields.items():
        setattr(endpoint, name, value)
    _require_manager(actor, endpoint.makerspace_id)
    unknown = []
    for kind in endpoint.kinds or []:
        try:
            kind_get(kind)
        except (LookupError, TypeError):
            unknown.append(str(kind))
    if not isinstance(endpoint.kinds, list) or unknown:
        raise ValidationError("Unknown notification kinds.", errors={"kinds": [f"Unknown: {', '.join(unknown)}"]})
    if not endpoint.secret:
        endpoint.secret = secrets.token_urlsafe(32)
    try:
        endpoint.full_clean()
    except DjangoValidationError as exc:
        raise ValidationError("Invalid webhook endpoint.", errors=exc.message_dict) from None
    endpoint.save()
    return endpoint


def webhook_delivery_retry(*, actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Staff send a failed delivery again (admin action): back to pending, queued after commit."""
    from makrx.errors import InvalidTransition

    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
        _require_manager(actor, locked.endpoint.makerspace_id)
        if locked.state != WebhookDelivery.State.FAILED:
            raise InvalidTransition("Only a failed delivery can be sent again.")
        locked.state = WebhookDelivery.State.PENDING
        locked.save(update_fields=["state"])

        def queue():
            from makrx.tasks import send_notification_webhook_task

            send_notification_webhook_task.delay(locked.pk)

        transaction.on_commit(queue, robust=True)
    return locked
