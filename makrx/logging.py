"""Request context (id, user, client ip) kept in contextvars and added to every log line."""

from __future__ import annotations

import contextvars
import functools
import logging
import re
from urllib.parse import unquote_plus

from django.utils.functional import SimpleLazyObject, empty

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_user_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("user_id", default=None)
_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)
# The current HttpRequest, so log lines can name the user once authentication has run.
_request: contextvars.ContextVar[object | None] = contextvars.ContextVar("request", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def bind_request_context(*, request_id=None, user_id=None, client_ip=None, request=None) -> None:
    if request is not None:
        _request.set(request)
    if request_id is not None:
        _request_id.set(request_id)
    if user_id is not None:
        _user_id.set(str(user_id))
    if client_ip is not None:
        _client_ip.set(client_ip)


def push_request_id(request_id: str) -> contextvars.Token:
    """Set the request id for a nested unit of work (a task); undo with ``pop_request_id``."""
    return _request_id.set(request_id)


def pop_request_id(token: contextvars.Token) -> None:
    try:
        _request_id.reset(token)
    except ValueError:  # created in another context (should not happen): just forget it
        _request_id.set(None)


def clear_request_context() -> None:
    _request.set(None)
    _request_id.set(None)
    _user_id.set(None)
    _client_ip.set(None)


class RequestContextFilter(logging.Filter):
    """Stamp request_id/user_id/client_ip on each record (``-`` when outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or "-"
        if not hasattr(record, "user_id"):
            record.user_id = _user_id.get() or _authenticated_user_id()
        if not hasattr(record, "client_ip"):
            record.client_ip = _client_ip.get()
        return True


def _authenticated_user_id() -> int | str | None:
    """The request's user id if authentication already ran; never triggers it (no queries here)."""
    request = _request.get()
    if request is None:
        return None
    user = vars(request).get("user")  # DRF sets the authenticated user here; Django a lazy object
    if isinstance(user, SimpleLazyObject):
        user = None if user._wrapped is empty else user._wrapped
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


# --- secrets in URLs ------------------------------------------------------------------------------------------
# Paths whose segment is itself a credential (a calendar feed token, an invitation), and query parameter names
# that carry one. Access and error lines go to log stores with wider access than the database: mask them there.
REDACTED = "***"
_SECRET_PATH_SEGMENTS = (
    re.compile(r"(/calendar/)(?!token/)([^/]+)"),
    re.compile(r"(/invites?/)([^/]+)"),
)
_SECRET_PARAM_WORDS = ("token", "key", "secret", "signature", "sig", "password", "passwd", "code")
_PARAM_NAME_PARTS = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=1024)  # every request with a query logs it: a handful of names, asked again and again
def _is_secret_param(name: str) -> bool:
    parts = _PARAM_NAME_PARTS.split(unquote_plus(name).lower())
    # "api_key", "apiKey", "access_token", "X-Signature": any word of the name ending in a secret word.
    return any(part.endswith(word) for part in parts if part for word in _SECRET_PARAM_WORDS)


def redact_path(path: str) -> str:
    for pattern in _SECRET_PATH_SEGMENTS:
        path = pattern.sub(rf"\g<1>{REDACTED}", path)
    return path


def redact_query(query: str) -> str:
    """The query string with the values of secret-looking parameters replaced by ``***``."""
    if not query:
        return query
    parts = []
    for item in query.split("&"):
        name, sep, _value = item.partition("=")
        parts.append(f"{name}={REDACTED}" if sep and _is_secret_param(name) else item)
    return "&".join(parts)


# Request headers that address a guest's cart (the v1 anonymous cart token, the earlier store front's browser
# session id): whoever holds one holds that cart and its orders. Sentry's own PII scrubbing does not know them.
SECRET_HEADERS = frozenset({"x-cart-token", "x-session-id"})


def sentry_before_send(event: dict, hint) -> dict:
    """Sentry's ``before_send``: the same masking for the request URL an error report carries, and the
    cart-addressing headers masked."""
    request = event.get("request")
    if isinstance(request, dict):
        if isinstance(request.get("headers"), dict):
            request["headers"] = {
                name: REDACTED if str(name).lower() in SECRET_HEADERS else value
                for name, value in request["headers"].items()
            }
        if isinstance(request.get("url"), str):
            scheme, sep, rest = request["url"].partition("://")
            host, slash, path = rest.partition("/")
            request["url"] = f"{scheme}{sep}{host}{slash and redact_path(slash + path)}" if sep else redact_path(rest)
        if isinstance(request.get("query_string"), str):
            request["query_string"] = redact_query(request["query_string"])
    return event
