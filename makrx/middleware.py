"""Request id, client ip, access log, Content-Security-Policy, and for /api/ query-string limits and JSON errors."""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import DataError
from django.http import Http404

from makrx.api.errors import DATA_ERROR_DETAIL, error_response
from makrx.logging import bind_request_context, clear_request_context, redact_path, redact_query

access_logger = logging.getLogger("makrx.request")
error_logger = logging.getLogger("makrx.errors")

REQUEST_ID_HEADER = "X-Request-ID"
# The access line keeps this much of a query string (oversized ones are refused, but still logged).
LOGGED_QUERY_MAX_CHARS = 1024
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def clean_request_id(value: str | None) -> str:
    """The client's id when it is safe to echo, otherwise a fresh one."""
    if value and _REQUEST_ID_RE.fullmatch(value):
        return value
    return uuid.uuid4().hex


def ip_or_none(value: str | None) -> str | None:
    """``value`` as a normalised IP address for an ``inet`` column, or None ("unknown", a forged forwarded
    header)."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip_from(meta: dict) -> str:
    """REMOTE_ADDR, or with TRUST_PROXY the address the outermost trusted proxy saw.

    With NUM_PROXIES=n the client is the n-th entry from the right of X-Forwarded-For:
    everything left of it was written by the client and can be forged.
    """
    remote = meta.get("REMOTE_ADDR") or "unknown"
    if not settings.TRUST_PROXY:
        return remote
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    index = max(len(forwarded) - settings.NUM_PROXIES, 0)
    return forwarded[index]


def is_api_path(path: str) -> bool:
    return path.startswith("/api/") or path == "/api"


class RequestContextMiddleware:
    """Outermost: assigns the request id and client ip, logs one access line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id = clean_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        request.client_ip = client_ip_from(request.META)
        clear_request_context()
        bind_request_context(request_id=request_id, client_ip=request.client_ip, request=request)
        try:
            response = self.get_response(request)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
        response[REQUEST_ID_HEADER] = request_id
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
        logged_path = redact_path(request.path)
        logged_query = redact_query(request.META.get("QUERY_STRING", ""))
        if len(logged_query) > LOGGED_QUERY_MAX_CHARS:
            logged_query = logged_query[:LOGGED_QUERY_MAX_CHARS] + "…"
        access_logger.info(
            "%s %s %s",
            request.method,
            f"{logged_path}?{logged_query}" if logged_query else logged_path,
            response.status_code,
            extra={
                "method": request.method,
                "path": logged_path,
                "query": logged_query,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user_id,
                "client_ip": request.client_ip,
            },
        )
        clear_request_context()
        return response


class ContentSecurityPolicyMiddleware:
    """A CSP on HTML pages (admin, docs); JSON responses need none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


class ApiExceptionMiddleware:
    """Under /api/: any exception that escaped a view becomes JSON, never an HTML page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api_path(request.path):
            if _has_nul(request):
                # No API stores NUL bytes, and PostgreSQL refuses them in text: reject before any lookup.
                return error_response(400, "The request path or query contains a NUL character.", "bad_request")
            refusal = _query_refusal(request.META.get("QUERY_STRING", ""))
            if refusal:
                return error_response(400, refusal, "query_too_long")
        response = self.get_response(request)
        if is_api_path(request.path) and response.status_code >= 400 and not _is_json(response):
            json_response = _json_for_status(response.status_code)
            for header in _KEPT_HEADERS:
                if header in response:
                    json_response[header] = response[header]
            return json_response
        return response

    def process_exception(self, request, exception):
        if not is_api_path(request.path):
            return None
        if isinstance(exception, Http404):
            return error_response(404, "Not found.", "not_found")
        if isinstance(exception, PermissionDenied):
            return error_response(403, "You do not have permission to perform this action.", "permission_denied")
        if isinstance(exception, RequestDataTooBig):
            return error_response(413, "The request body is too large.", "too_large")
        if isinstance(exception, SuspiciousOperation):
            return error_response(400, "Bad request.", "bad_request")
        if isinstance(exception, DataError):
            error_logger.warning("data error on %s %s: %s", request.method, redact_path(request.path), exception)
            return error_response(400, DATA_ERROR_DETAIL, "invalid")
        error_logger.exception("unhandled error on %s %s", request.method, redact_path(request.path))
        return error_response(500, "An unexpected error occurred; it has been logged.", "server_error")


def _query_refusal(query: str) -> str | None:
    """Why a query string is refused, or None. No API filter needs kilobytes of query or dozens of parameters;
    refusing them before routing keeps filters, ORM lookups and logs away from attacker-sized input."""
    if len(query) > settings.API_MAX_QUERY_STRING_LENGTH:
        return f"The query string is longer than {settings.API_MAX_QUERY_STRING_LENGTH} characters."
    if query.count("&") >= settings.API_MAX_QUERY_PARAMS:
        params = sum(1 for part in query.split("&") if part)
        if params > settings.API_MAX_QUERY_PARAMS:
            return f"The query string has more than {settings.API_MAX_QUERY_PARAMS} parameters."
    return None


def _has_nul(request) -> bool:
    query = request.META.get("QUERY_STRING", "")
    return "\x00" in request.path or "%00" in query or "\x00" in query


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json") or response.get(
        "Content-Type", ""
    ).startswith("application/problem+json")


# Headers of a plain Django error response that still mean something once it is JSON.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")

_STATUS_MESSAGES = {
    400: ("Bad request.", "bad_request"),
    401: ("Authentication credentials were not provided.", "not_authenticated"),
    403: ("You do not have permission to perform this action.", "permission_denied"),
    404: ("Not found.", "not_found"),
    405: ("Method not allowed.", "method_not_allowed"),
    413: ("The request body is too large.", "too_large"),
    415: ("Unsupported media type.", "unsupported_media_type"),
    429: ("Too many requests; try again later.", "rate_limited"),
    500: ("An unexpected error occurred; it has been logged.", "server_error"),
    503: ("A dependency is unavailable; try again later.", "service_unavailable"),
}


def _json_for_status(status_code: int):
    """The error format for a non-JSON error response that a Django view or middleware produced."""
    if status_code in _STATUS_MESSAGES:
        detail, code = _STATUS_MESSAGES[status_code]
    else:
        phrase = HTTPStatus(status_code).phrase if status_code in HTTPStatus._value2member_map_ else "Error"
        detail, code = f"{phrase}.", phrase.lower().replace(" ", "_").replace("-", "_")
    return error_response(status_code, detail, code)
