"""Transports: how a message reaches the other side. HTTP when that side's URL is configured
(``MAKRCAVE_API_URL`` for jobs, ``STORE_API_URL`` for status and supplies), otherwise in-process through the
very receiver code the HTTP endpoints run, in its own transaction."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.utils import timezone

from bridge.models import OutboxMessage

logger = logging.getLogger("bridge.transports")

Kind = OutboxMessage.Kind
# kind -> (receiver endpoint, path on the other side; ``{job_id}`` from the payload)
ROUTES = {
    Kind.JOB_CREATE: ("job.create", "/api/v1/bridge/jobs"),
    Kind.JOB_CANCEL: ("job.cancel", "/api/v1/bridge/jobs/{external_order_id}/cancel"),
    Kind.JOB_STATUS: ("job.status", "/api/bridge/jobs/{job_id}/status"),
    Kind.REORDER_LIST: ("reorder.list", "/api/v1/bridge/reorder-lists"),
    Kind.BOM_CART: ("bom.cart", "/api/v1/bridge/carts"),
}
RETRYABLE = {408, 429}
# Answers that are final for a kind although not 2xx: the message is sent (the answer kept), not dead.
# A cancel refused with 409 (the job is already made or handed over) will not change by retrying.
SETTLED = {Kind.JOB_CANCEL: {409}}

_session = requests.Session()


@dataclass
class Outcome:
    ok: bool
    retry: bool
    transport: str
    url: str = ""
    status_code: int | None = None
    body: dict | None = None
    raw: str = ""
    error: str = ""
    extra: dict = field(default_factory=dict)


def signature_for(body: bytes, secret: str | None = None) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the raw body with ``CAVE_WEBHOOK_SECRET``."""
    key = (secret if secret is not None else settings.CAVE_WEBHOOK_SECRET).encode()
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def message_body(message: OutboxMessage) -> bytes:
    """The payload plus ``event_id`` (the message id: the receiver's dedupe key) and ``sent_at`` (now, so a
    message retried after an outage is fresh), covered by the signature."""
    body = dict(message.payload)
    body["event_id"] = str(message.message_id)
    body["sent_at"] = timezone.now().isoformat()
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


def message_headers(message: OutboxMessage, body: bytes) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": str(message.message_id),
        "X-Request-ID": message.request_id or f"bridge-{message.message_id}",
    }
    if settings.SERVICE_JWT:
        headers["Authorization"] = f"Bearer {settings.SERVICE_JWT}"
    if settings.MAKRCAVE_API_KEY:
        headers["X-API-Key"] = settings.MAKRCAVE_API_KEY
    if settings.CAVE_WEBHOOK_SECRET:
        headers["X-Signature"] = signature_for(body)
    return headers


def _base_url(message: OutboxMessage) -> str:
    if message.destination == OutboxMessage.Destination.MAKERSPACE:
        return settings.MAKRCAVE_API_URL
    return settings.STORE_API_URL


def _classify(status_code: int, kind: str = "") -> tuple[bool, bool]:
    """(ok, retry): 2xx (and a kind's ``SETTLED`` answers) sent; 408, 429 and 5xx retried; any other answer
    failed for good."""
    if 200 <= status_code < 300 or status_code in SETTLED.get(kind, ()):
        return True, False
    return False, status_code in RETRYABLE or status_code >= 500


def transport_send(message: OutboxMessage) -> Outcome:
    endpoint, template = ROUTES[message.kind]
    path = template.format(
        job_id=message.payload.get("job_id", ""), external_order_id=message.payload.get("external_order_id", "")
    )
    body = message_body(message)
    headers = message_headers(message, body)
    base = _base_url(message)
    if base:
        return _send_http(base + path, body, headers, kind=message.kind)
    return _send_in_process(endpoint, path, body, headers, message)


def _send_http(url: str, body: bytes, headers: dict[str, str], *, kind: str = "") -> Outcome:
    try:
        response = _session.post(url, data=body, headers=headers, timeout=settings.BRIDGE_HTTP_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        return Outcome(ok=False, retry=True, transport="http", url=url, error=f"{type(exc).__name__}: {exc}")
    ok, retry = _classify(response.status_code, kind)
    try:
        parsed = response.json()
    except ValueError:
        parsed = None
    error = "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}: {response.text[:500]}"
    return Outcome(
        ok=ok,
        retry=retry,
        transport="http",
        url=url,
        status_code=response.status_code,
        body=parsed if isinstance(parsed, dict) else None,
        raw=response.text[:4000],
        error=error,
    )


def _send_in_process(endpoint: str, path: str, body: bytes, headers: dict, message: OutboxMessage) -> Outcome:
    from bridge.services.receivers import inbound_receive

    try:
        reply = inbound_receive(
            endpoint=endpoint,
            body=body,
            headers=headers,
            path=path,
            path_params={
                "job_id": str(message.payload.get("job_id", "")),
                "external_order_id": str(message.payload.get("external_order_id", "")),
            },
            transport="in_process",
            request_id=headers["X-Request-ID"],
        )
    except Exception as exc:  # noqa: BLE001 - a bug on the receiving side: keep the message, retry later
        logger.exception("bridge: in-process receiver failed for %s", message.message_id)
        return Outcome(ok=False, retry=True, transport="in_process", url=path, error=f"{type(exc).__name__}: {exc}")
    ok, retry = _classify(reply.status, message.kind)
    return Outcome(
        ok=ok,
        retry=retry,
        transport="in_process",
        url=path,
        status_code=reply.status,
        body=reply.body,
        raw=json.dumps(reply.body)[:4000],
        error="" if 200 <= reply.status < 300 else f"{reply.status}: {reply.body.get('detail', '')}",
    )
