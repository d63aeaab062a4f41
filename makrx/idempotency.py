"""Idempotency-Key support: a retried write returns the first result instead of acting twice."""

from __future__ import annotations

import hashlib
import json
import math
import uuid
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

    Without the header the handler simply runs. The key is claimed in its own transaction before the work starts,
    with a lease of ``IDEMPOTENCY_LEASE_SECONDS``: while the lease runs, a concurrent retry gets 409
    ``request_in_progress`` with ``Retry-After``. A request that died without finishing (worker killed, deploy)
    leaves its lease to expire, and the next retry takes the key over and runs. Server errors release the key so the
    client may retry; any other answer is kept and replayed; the first result stored is the one every retry sees.
    """
    key = request.META.get(HEADER)
    if not key:
        return handler()
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError("Idempotency-Key must be 1 to 255 characters.", code="invalid_idempotency_key")
    fingerprint = request_fingerprint(request.data)
    claim = _claim(scope=scope, owner=owner, key=key, fingerprint=fingerprint)
    if isinstance(claim, Response):
        return claim

    try:
        response = handler()
    except Exception as exc:
        status_code = getattr(exc, "status_code", 500)
        if status_code >= 500 or status_code in (409, 429):
            _release(claim)  # transient: the client may retry with the same key
        else:
            from makrx.api.errors import exception_handler

            rendered = exception_handler(exc, {})
            if rendered is None:
                _release(claim)
                raise
            _finish(claim, rendered)
        raise
    if response.status_code >= 500:
        _release(claim)
    else:
        _finish(claim, response)
    return response


def _claim(*, scope: str, owner: str, key: str, fingerprint: str) -> IdempotencyKey | Response:
    """Our claim on the key (new, or taken over from an expired lease), or the stored response to replay."""
    lease = timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                scope=scope,
                owner=owner,
                key=key,
                fingerprint=fingerprint,
                lease_token=uuid.uuid4().hex,
                locked_until=timezone.now() + lease,
            )
    except IntegrityError:
        pass
    with transaction.atomic():
        # The row lock makes a takeover atomic: of two retries of one stranded key, the second waits here and
        # then sees the first one's fresh lease.
        existing = IdempotencyKey.objects.select_for_update().filter(scope=scope, owner=owner, key=key).first()
        if existing is None:  # released between our insert and read: let the client retry
            raise ConflictError(
                "A request with this Idempotency-Key is in progress.",
                code="request_in_progress",
                headers={"Retry-After": "1"},
            )
        if existing.fingerprint != fingerprint:
            raise ConflictError(
                "This Idempotency-Key was used with a different request body.", code="idempotency_key_reused"
            )
        if existing.state == IdempotencyKey.State.DONE:
            return _replay(existing)
        now = timezone.now()
        if existing.locked_until is not None and existing.locked_until > now:
            retry_after = max(1, math.ceil((existing.locked_until - now).total_seconds()))
            raise ConflictError(
                "A request with this Idempotency-Key is in progress.",
                code="request_in_progress",
                headers={"Retry-After": str(retry_after)},
            )
        existing.lease_token = uuid.uuid4().hex
        existing.locked_until = now + lease
        existing.save(update_fields=["lease_token", "locked_until", "updated_at"])
        return existing


def _replay(record: IdempotencyKey) -> Response:
    body = record.response_body
    if isinstance(body, dict) and "request_id" in body:
        body = {**body, "request_id": current_request_id()}  # the replayed error names this request
    response = Response(body, status=record.response_status)
    response["Idempotent-Replayed"] = "true"
    return response


def _ours(record: IdempotencyKey):
    """The key row while it is still in progress under our lease (not taken over, not finished by another)."""
    return IdempotencyKey.objects.filter(
        pk=record.pk, state=IdempotencyKey.State.IN_PROGRESS, lease_token=record.lease_token
    )


def _release(record: IdempotencyKey) -> None:
    _ours(record).delete()


def _finish(record: IdempotencyKey, response: Response) -> None:
    # Conditional on our lease: if a retry took the key over while we ran past the lease, whichever finished first
    # keeps its result, so every later retry replays one and the same answer.
    body = json.loads(json.dumps(response.data, default=str)) if response.data is not None else None
    IdempotencyKey.objects.filter(pk=record.pk, state=IdempotencyKey.State.IN_PROGRESS).update(
        state=IdempotencyKey.State.DONE,
        response_status=response.status_code,
        response_body=body,
        locked_until=None,
        updated_at=timezone.now(),
    )


def idempotency_keys_purge(*, older_than_hours: int | None = None) -> int:
    """Delete keys past their retention; returns how many went."""
    hours = older_than_hours if older_than_hours is not None else settings.IDEMPOTENCY_KEY_TTL_HOURS
    cutoff = timezone.now() - timedelta(hours=hours)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
