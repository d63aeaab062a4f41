"""Inbound receivers: verify first (API key or HMAC signature, constant time, before any parsing or lookup), then
parse, check freshness and dedupe; every delivery is logged with its result.

``job.status`` (the high-rate message) goes to the inbox: stored in one statement and answered 202 ``queued``,
applied after the request (``bridge.services.inbox``). The others (``job.create`` answers the job id,
``job.cancel`` may answer 409, the supplies) apply at once, in one transaction with their dedupe key and log row.

The HTTP views and the in-process transport both call ``inbound_receive``, so one deployment and two run the
same code. A reply never raises: errors become ``{detail, code, request_id}`` replies with their status.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from rest_framework import serializers as drf_serializers
from rest_framework.utils.json import strict_constant

from bridge import wire
from bridge.models import InboundDelivery, ReceivedEvent
from bridge.services.inbox import inbox_store
from bridge.services.transports import signature_for
from makrx import metrics
from makrx.api.errors import error_body
from makrx.boundedjson import JSONTooDeep, loads_bounded
from makrx.errors import DomainError, NotFound, PermissionDenied, ValidationError
from makrx.middleware import ip_or_none

logger = logging.getLogger("bridge.receivers")

Result = InboundDelivery.Result
# Headers worth keeping with a delivery; credentials are kept only as "present".
KEPT_HEADERS = ("content-type", "content-length", "user-agent", "x-request-id", "idempotency-key", "x-forwarded-for")
CREDENTIAL_HEADERS = ("authorization", "x-api-key", "x-signature")
MAX_STORED_BODY = 65536


class Unauthenticated(DomainError):
    status_code = 401
    default_code = "not_authenticated"
    default_detail = "Bridge credentials are required (X-API-Key or X-Signature)."


@dataclass
class Reply:
    status: int
    body: dict


def _constant_time_equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8", "replace"))


def inbound_verify(*, body: bytes, headers: dict[str, str], transport: str = "http") -> str:
    """Check the delivery's credentials and return how it was verified (``api_key``, ``signature``, ``none``,
    ``in_process``). A wrong credential is always 403; a missing one is 401 outside development (in development
    it is allowed and logged). In-process deliveries of a deployment without credentials need none."""
    api_key, signature = headers.get("x-api-key"), headers.get("x-signature")
    if api_key is None and signature is None:
        if transport == "in_process" and not (settings.MAKRCAVE_API_KEY or settings.CAVE_WEBHOOK_SECRET):
            return "in_process"
        if not settings.IS_DEVELOPMENT:
            raise Unauthenticated()
        logger.warning("bridge: unauthenticated delivery accepted (development only)")
        return "none"
    if api_key is not None and not (
        settings.MAKRCAVE_API_KEY and _constant_time_equal(api_key, settings.MAKRCAVE_API_KEY)
    ):
        raise PermissionDenied("The X-API-Key is not valid.", code="invalid_api_key")
    if signature is not None and not (
        settings.CAVE_WEBHOOK_SECRET and _constant_time_equal(signature.strip(), signature_for(body))
    ):
        raise PermissionDenied("The X-Signature does not match the body.", code="invalid_signature")
    return "signature" if signature is not None else "api_key"


def _parse(body: bytes, serializer_class) -> dict:
    """The body's JSON object, validated by the endpoint's wire serializer. Decoded as the API's parser decodes
    (``makrx.boundedjson``: a document nested too deeply is refused before ``json`` recurses into it; NaN and
    Infinity are not JSON)."""
    try:
        data = loads_bounded(body.decode("utf-8"), parse_constant=strict_constant)
    except JSONTooDeep as exc:
        raise ValidationError(f"The body is not valid JSON: {exc}", code="too_deep") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError("The body is not valid JSON.", code="parse_error") from exc
    if not isinstance(data, dict):
        raise ValidationError("The body must be a JSON object.", code="parse_error")
    try:
        return wire.wire_validate(serializer_class, data)
    except drf_serializers.ValidationError as exc:
        raise ValidationError("Invalid message.", errors=_errors(exc.detail)) from exc


def _errors(detail) -> dict:
    from makrx.api.errors import _flatten_errors

    return _flatten_errors(detail)


def _event_key(data: dict, context: dict, *, legacy: str) -> str:
    """``event:<id>`` with a fresh ``sent_at``; an older sender without both is deduplicated by its
    ``Idempotency-Key`` header when it sends one, else by ``legacy`` (the order and status)."""
    event_id, sent_at = data.get("event_id"), data.get("sent_at")
    if event_id is None and sent_at is None:
        idempotency_key = (context.get("idempotency_key") or "").strip()
        if idempotency_key:
            return f"idempotency:{legacy.split(':', 1)[0]}:{idempotency_key[:128]}"
        return f"legacy:{legacy}"
    if event_id is None or sent_at is None:
        raise ValidationError(
            "event_id and sent_at come together.", errors={"event_id" if event_id is None else "sent_at": ["Required."]}
        )
    skew = timedelta(seconds=settings.BRIDGE_MAX_CLOCK_SKEW_SECONDS)
    if abs(timezone.now() - sent_at) > skew:
        raise ValidationError("sent_at is outside the accepted window (replayed or clock skew).", code="stale_message")
    return f"event:{event_id}"


def _claim_key(key: str, endpoint: str) -> int | None:
    """Insert the key row unless it exists: its id, or None for a duplicate. ``ON CONFLICT DO NOTHING`` waits
    for a concurrent insert of the same key to commit (then: duplicate) or roll back (then: ours), in one round
    trip and without a savepoint."""
    table = connection.ops.quote_name(ReceivedEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, endpoint, response, created_at) VALUES (%s, %s, %s, %s) "  # noqa: S608
            "ON CONFLICT (key) DO NOTHING RETURNING id",
            [key[:200], endpoint, "{}", timezone.now()],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _once(key: str, endpoint: str, apply: Callable[[], tuple[dict, str]]) -> tuple[Reply, str]:
    """Apply at most once per key: the key row is written in the applying transaction (a refusal rolls both
    back, so a later retry may apply); a duplicate gets the first delivery's stored answer."""
    with transaction.atomic():
        event_id = _claim_key(key, endpoint)
        if event_id is None:
            first = ReceivedEvent.objects.get(key=key[:200])
            return Reply(200, {**first.response, "duplicate": True, "result": "duplicate"}), Result.DUPLICATE
        body, result = apply()
        ReceivedEvent.objects.filter(pk=event_id).update(response=body)
    return Reply(200, body), result


# --- the receivers -------------------------------------------------------------------------------------------


def _job_create(data: dict, context: dict) -> tuple[Reply, str]:
    from makerspace.selectors.jobs import job_accept_path
    from makerspace.services.jobs import job_receive
    from makrx.auth.scoping import SYSTEM as PLATFORM

    key = _event_key(data, context, legacy=f"job.create:{data['external_order_id']}")

    def apply():
        customer = data.get("customer") or {}
        job, created = job_receive(
            actor=PLATFORM,
            source=data["source"],
            external_order_id=data["external_order_id"],
            title=data["title"],
            description=data["description"],
            file_url=data["file_url"],
            requirements=dict(data["requirements"]),
            delivery=data["delivery"],
            priority=data["priority"],
            quantity=data["quantity"],
            price=data["price"],
            currency=data["currency"],
            customer=dict(customer) if customer else None,
            makerspace_id=data["makerspace_id"],
        )
        body = {
            "job_id": str(job.pk),
            "routing": "published",
            "accept_url": job_accept_path(job),
        }
        return body, Result.APPLIED if created else Result.DUPLICATE

    return _once(key, "job.create", apply)


def _job_cancel(data: dict, context: dict) -> tuple[Reply, str]:
    from makerspace.models import ServiceJob
    from makerspace.services.jobs import job_cancel
    from makrx.auth.scoping import SYSTEM as PLATFORM

    external = data["external_order_id"]
    if context.get("external_order_id") and str(context["external_order_id"]) != external:
        raise ValidationError(
            "The body's order is not the path's.", errors={"external_order_id": ["Must equal the path's."]}
        )
    key = _event_key(data, context, legacy=f"job.cancel:{external}")

    def apply():
        job = ServiceJob.objects.filter(source=data["source"], external_order_id=external).first()
        if job is None:
            raise NotFound("No job for that order.", code="job_not_found")
        if job.status in (ServiceJob.Status.CANCELLED, ServiceJob.Status.REJECTED):
            # Already stopped (by the makerspace, or an earlier cancel of another event id): nothing to do.
            return {"job_id": str(job.pk), "status": job.status, "result": Result.DUPLICATE}, Result.DUPLICATE
        # A job already completed or shipped raises 409 invalid_transition: rolled back, logged as a conflict.
        job = job_cancel(actor=PLATFORM, job=job, reason=(data.get("reason") or "Cancelled by the store.")[:500])
        return {"job_id": str(job.pk), "status": job.status, "result": Result.APPLIED}, Result.APPLIED

    return _once(key, "job.cancel", apply)


def _job_status(data: dict, context: dict, row: dict) -> tuple[Reply, str, bool]:
    """Store the status in the inbox (one statement; the log row is the inbox row): 202 ``queued`` with the
    order's status at receipt, 200 ``duplicate`` for a key already stored, 404 for an unknown order. The third
    value says whether the log row was written."""
    order_id = data["service_order_id"]
    key = _event_key(data, context, legacy=f"job.status:{order_id}:{data['status']}")
    milestone = data.get("milestone") or {}
    message = {
        "service_order_id": order_id,
        "status": data["status"],
        "at": milestone["at"].isoformat() if milestone.get("at") else None,
        "note": milestone.get("note", ""),
        "job_id": str(context.get("job_id") or "")[:64],
    }
    stored = {**row, "dedupe_key": key[:200], "message": message, "result": Result.QUEUED, "status_code": 202}
    status, delivery_id = inbox_store(service_order_id=order_id, row=stored)
    if status is None:
        raise NotFound("No such service order.", code="service_order_not_found")
    body = {"received": True, "service_order_id": order_id, "status": status}
    if delivery_id is None:
        return Reply(200, {**body, "result": Result.DUPLICATE, "duplicate": True}), Result.DUPLICATE, False
    return Reply(202, {**body, "result": Result.QUEUED, "delivery_id": delivery_id}), Result.QUEUED, True


def _account(data: dict):
    account = data["account"]
    users = get_user_model().objects.filter(is_active=True)
    user = None
    if account.get("sub"):
        user = users.filter(keycloak_sub=account["sub"]).first()
    elif account.get("username"):
        user = users.filter(username=account["username"]).first()
    if user is None:
        raise NotFound("No store account for that sub or username.", code="account_not_found")
    return user


def _reorder_list(data: dict, context: dict) -> tuple[Reply, str]:
    from store.services import SYSTEM as STORE_SYSTEM
    from store.services.reorder import reorder_list_replace_for_account

    user = _account(data)
    key = _event_key(data, context, legacy=f"reorder.list:{user.pk}:{data['name']}")

    def apply():
        lines = [{"sku": line["sku"], "quantity": line["quantity"]} for line in data["lines"]]
        reorder_list = reorder_list_replace_for_account(actor=STORE_SYSTEM, user=user, name=data["name"], lines=lines)
        return {"received": True, "result": Result.APPLIED, "reorder_list": reorder_list.pk}, Result.APPLIED

    return _once(key, "reorder.list", apply)


def _bom_cart(data: dict, context: dict) -> tuple[Reply, str]:
    from store.services.cart import cart_item_add, cart_resolve

    user = _account(data)
    key = _event_key(data, context, legacy=f"bom.cart:{user.pk}:{data['reference']}")

    def apply():
        cart = cart_resolve(user=user, token=None)
        added, short = [], []
        for line in data["lines"]:
            try:
                with transaction.atomic():
                    cart_item_add(actor=user, cart=cart, sku=line["sku"], quantity=line["quantity"])
                added.append({"sku": line["sku"], "quantity": line["quantity"]})
            except DomainError as exc:  # unknown SKU or too little stock: the member sees what is missing
                short.append({"sku": line["sku"], "quantity": line["quantity"], "reason": exc.code})
        return {"received": True, "result": Result.APPLIED, "added": added, "short": short}, Result.APPLIED

    return _once(key, "bom.cart", apply)


RECEIVERS: dict[str, tuple[type[drf_serializers.Serializer], Callable]] = {
    "job.create": (wire.JobCreateSerializer, _job_create),
    "job.cancel": (wire.JobCancelSerializer, _job_cancel),
    "job.status": (wire.JobStatusSerializer, _job_status),  # into the inbox (INBOX_ENDPOINTS)
    "reorder.list": (wire.ReorderListSerializer, _reorder_list),
    "bom.cart": (wire.BomCartSerializer, _bom_cart),
}
INBOX_ENDPOINTS = frozenset({"job.status"})  # stored and answered 202; applied after the request
_RESULT_BY_STATUS = {400: Result.INVALID, 401: Result.REJECTED, 403: Result.REJECTED, 404: Result.NOT_FOUND}


def _kept(headers: dict[str, str]) -> dict[str, str]:
    kept = {name: headers[name][:300] for name in KEPT_HEADERS if name in headers}
    kept.update({name: "<present>" for name in CREDENTIAL_HEADERS if name in headers})
    return kept


def inbound_receive(
    *,
    endpoint: str,
    body: bytes,
    headers,
    path: str,
    path_params: dict | None = None,
    transport: str = "http",
    client_ip: str | None = None,
    request_id: str = "",
) -> Reply:
    """Receive one delivery for ``endpoint`` (``job.create``, ``job.cancel``, ``job.status``, ``reorder.list``,
    ``bom.cart``)."""
    headers = {str(name).lower(): str(value) for name, value in dict(headers).items()}
    serializer_class, handler = RECEIVERS[endpoint]
    row = {
        "endpoint": endpoint,
        "transport": transport,
        "path": path[:300],
        "headers": _kept(headers),
        "body": body[:MAX_STORED_BODY].decode("utf-8", "replace").replace("\x00", "\ufffd"),
        "client_ip": ip_or_none(client_ip),
        "request_id": request_id[:128],
    }
    context = {**(path_params or {}), "idempotency_key": headers.get("idempotency-key", "")}
    inbox = endpoint in INBOX_ENDPOINTS
    reply, result = _receive(row, body, headers, context, transport, serializer_class, handler, inbox=inbox)
    metrics.BRIDGE_DELIVERIES.labels("inbound", endpoint, result).inc()
    return reply


def _refusal(exc: DomainError) -> tuple[Reply, str, str]:
    reply = Reply(exc.status_code, error_body(exc.detail, exc.code, exc.errors))
    return reply, _RESULT_BY_STATUS.get(exc.status_code, Result.CONFLICT), f"{exc.code}: {exc.detail}"[:2000]


def _receive(row, body, headers, context, transport, serializer_class, handler, *, inbox: bool) -> tuple[Reply, str]:
    """Verify, parse, hand to the endpoint's handler, log. An inbox endpoint's handler writes the log row itself
    when it stores the delivery (its log row is its inbox row): in autocommit, one statement. The others apply in
    one transaction with their dedupe key and the log row (one commit); a refusal rolls back only the apply's
    savepoint and is logged all the same."""
    row = {**row, "verified": False, "auth_method": "", "event_id": ""}
    with nullcontext() if inbox else transaction.atomic():
        try:
            method = inbound_verify(body=body, headers=headers, transport=transport)
            row.update(verified=method != "none", auth_method=method)
            data = _parse(body, serializer_class)
            row["event_id"] = str(data.get("event_id") or "")[:100]
            reply, result, logged = handler(data, context, row) if inbox else (*handler(data, context), False)
            detail = ""
        except DomainError as exc:
            (reply, result, detail), logged = _refusal(exc), False
        if not logged:
            InboundDelivery.objects.create(**row, result=result, status_code=reply.status, detail=detail)
    return reply, result
