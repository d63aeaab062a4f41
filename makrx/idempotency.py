"""Idempotency-Key support: a retried write returns the first result instead of acting twice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from makrx.errors import ConflictError, ValidationError
from makrx.logging import current_request_id
from makrx.models import IdempotencyKey

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 255


def request_fingerprint(data) -> str:
    try:
        raw = json.dumps(data, sort_keys=True, default=str)
    except (TypeError, ValueError):
        raw = repr(data)
    return hashlib.sha256(raw.encode()).hexdigest()


def idempotent(request, *, scope: str, owner: str, handler: Callable[[], Response]) -> Response:
    """Run ``handler`` once per (scope, owner, Idempotency-Key); replay its response after.

    Without the header the handler simply runs. The key row is claimed in its own
    transaction before the work starts, so two concurrent retries cannot both act:
    the second gets 409 ``request_in_progress``. Server errors release the key so the
    client may retry; any other answer is kept and replayed.
    """
    key = request.META.get(HEADER)
    if not key:
        return handler()
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError("Idempotency-Key must be 1 to 255 characters.", code="invalid_idempotency_key")
    fingerprint = request_fingerprint(request.data)
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(scope=scope, owner=owner, key=key, fingerprint=fingerprint)
    except IntegrityError:
        existing = IdempotencyKey.objects.filter(scope=scope, owner=owner, key=key).first()
        if existing is None:  # released between our insert and read: let the client retry
            raise ConflictError("A request with this Idempotency-Key is in progress.", code="request_in_progress")
        if existing.fingerprint != fingerprint:
            raise ConflictError(
                "This Idempotency-Key was used with a different request body.", code="idempotency_key_reused"
            )
        if existing.state != IdempotencyKey.State.DONE:
            raise ConflictError("A request with this Idempotency-Key is in progress.", code="request_in_progress")
        body = existing.response_body
        if isinstance(body, dict) and "request_id" in body:
            body = {**body, "request_id": current_request_id()}  # the replayed error names this request
        response = Response(body, status=existing.response_status)
        response["Idempotent-Replayed"] = "true"
        return response

    try:
        response = handler()
    except Exception as exc:
        status_code = getattr(exc, "status_code", 500)
        if status_code >= 500 or status_code in (409, 429):
            record.delete()  # transient: the client may retry with the same key
        else:
            from makrx.api.errors import exception_handler

            rendered = exception_handler(exc, {})
            if rendered is None:
                record.delete()
                raise
            _finish(record, rendered)
        raise
    if response.status_code >= 500:
        record.delete()
    else:
        _finish(record, response)
    return response


def _finish(record: IdempotencyKey, response: Response) -> None:
    record.state = IdempotencyKey.State.DONE
    record.response_status = response.status_code
    record.response_body = json.loads(json.dumps(response.data, default=str)) if response.data is not None else None
    record.save(update_fields=["state", "response_status", "response_body", "updated_at"])


def idempotency_keys_purge(*, older_than_hours: int | None = None) -> int:
    """Delete keys past their retention; returns how many went."""
    hours = older_than_hours if older_than_hours is not None else settings.IDEMPOTENCY_KEY_TTL_HOURS
    cutoff = timezone.now() - timedelta(hours=hours)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
