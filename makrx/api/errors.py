"""The one JSON error format of DESIGN.md §5, for DRF, Django and domain errors alike."""

from __future__ import annotations

import logging

from django.core import exceptions as django_exceptions
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DataError, IntegrityError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response

from makrx import errors as domain
from makrx.logging import current_request_id

logger = logging.getLogger("makrx.api")

DATA_ERROR_DETAIL = "The request contains a value the database cannot store."

_DRF_CODES = {
    drf_exceptions.NotAuthenticated: "not_authenticated",
    drf_exceptions.AuthenticationFailed: "authentication_failed",
    drf_exceptions.PermissionDenied: "permission_denied",
    drf_exceptions.NotFound: "not_found",
    drf_exceptions.MethodNotAllowed: "method_not_allowed",
    drf_exceptions.NotAcceptable: "not_acceptable",
    drf_exceptions.UnsupportedMediaType: "unsupported_media_type",
    drf_exceptions.Throttled: "rate_limited",
    drf_exceptions.ParseError: "parse_error",
    drf_exceptions.ValidationError: "invalid",
}


def error_body(detail: str, code: str, errors=None) -> dict:
    body = {"detail": str(detail), "code": code, "request_id": current_request_id()}
    if errors:
        body["errors"] = errors
    return body


def error_response(status_code: int, detail: str, code: str, errors=None, headers=None) -> JsonResponse:
    """A plain Django JSON response in the error format (for code outside DRF)."""
    response = JsonResponse(error_body(detail, code, errors), status=status_code)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _flatten_errors(data) -> dict:
    """DRF validation detail → {field: [messages]} with string messages."""
    if isinstance(data, dict):
        out = {}
        for field, value in data.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten_errors(value).items():
                    out[f"{field}.{sub}"] = msgs
            elif isinstance(value, list):
                msgs = []
                for i, item in enumerate(value):
                    if isinstance(item, dict):
                        for sub, sub_msgs in _flatten_errors(item).items():
                            out[f"{field}[{i}].{sub}"] = sub_msgs
                    else:
                        msgs.append(str(item))
                if msgs:
                    out[field] = msgs
            else:
                out[field] = [str(value)]
        return out
    if isinstance(data, list):
        return {"non_field_errors": [str(item) for item in data]}
    return {"non_field_errors": [str(data)]}


def _first_message(errors: dict) -> str:
    for field, messages in errors.items():
        if messages:
            prefix = "" if field == "non_field_errors" else f"{field}: "
            return f"{prefix}{messages[0]}"
    return "Invalid input."


def exception_handler(exc, context):
    """DRF EXCEPTION_HANDLER: every error leaves as {detail, code, request_id[, errors]}."""
    headers: dict[str, str] = {}

    if isinstance(exc, domain.DomainError):
        errors = exc.errors
        if errors is not None and not isinstance(errors, dict):
            errors = _flatten_errors(errors)
        return Response(error_body(exc.detail, exc.code, errors), status=exc.status_code, headers=exc.headers)

    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, django_exceptions.PermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    elif isinstance(exc, django_exceptions.ValidationError):
        exc = drf_exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("The request body is too large.", "too_large"),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    elif isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return Response(error_body(str(exc) or "Too many fields.", "too_many_fields"), status=400)
    elif isinstance(exc, DataError):
        # The database refused a value (NUL byte, out-of-range number, bad JSON text): bad input.
        logger.warning("data error mapped to 400: %s", exc)
        return Response(error_body(DATA_ERROR_DETAIL, "invalid"), status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, IntegrityError):
        # A constraint caught what the service's own check missed (usually a race): a conflict.
        logger.warning("integrity error mapped to 409: %s", exc)
        return Response(
            error_body("The change conflicts with existing data.", "conflict"), status=status.HTTP_409_CONFLICT
        )

    if not isinstance(exc, drf_exceptions.APIException):
        return None  # a bug: ApiExceptionMiddleware answers 500 in the error format

    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    code = next((c for cls, c in _DRF_CODES.items() if type(exc) is cls), None)
    if isinstance(exc, drf_exceptions.ValidationError):
        errors = _flatten_errors(exc.detail)
        return Response(error_body(_first_message(errors), "invalid", errors), status=exc.status_code, headers=headers)
    detail = exc.detail
    if isinstance(detail, dict):
        code = code or str(detail.get("code", "error"))
        detail = detail.get("detail", detail)
    if code is None:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
    if isinstance(detail, list):
        detail = " ".join(str(d) for d in detail)
    return Response(error_body(str(detail), code), status=exc.status_code, headers=headers)


# --- Django-level handlers for /api/ paths (used from urls.py and middleware) -----------------


def json_bad_request(request, exception=None):
    return error_response(400, "Bad request.", "bad_request")


def json_permission_denied(request, exception=None):
    return error_response(403, "You do not have permission to perform this action.", "permission_denied")


def json_not_found(request, exception=None):
    return error_response(404, "Not found.", "not_found")


def json_server_error(request, *args, **kwargs):
    return error_response(500, "An unexpected error occurred; it has been logged.", "server_error")


def csrf_failure(request, reason=""):
    if request.path.startswith("/api/"):
        return error_response(403, f"CSRF check failed: {reason}", "csrf_failed")
    from django.views.csrf import csrf_failure as default_csrf_failure

    return default_csrf_failure(request, reason=reason)


def _api_or_default(json_view, default_view):
    def handler(request, *args, **kwargs):
        from makrx.middleware import is_api_path

        if is_api_path(request.path):
            return json_view(request, *args, **kwargs)
        return default_view(request, *args, **kwargs)

    return handler


def _defaults():
    from django.views import defaults

    return defaults


json_bad_request_or_html = _api_or_default(
    json_bad_request, lambda r, exception=None: _defaults().bad_request(r, exception)
)
json_permission_denied_or_html = _api_or_default(
    json_permission_denied, lambda r, exception=None: _defaults().permission_denied(r, exception)
)
json_not_found_or_html = _api_or_default(
    json_not_found, lambda r, exception=None: _defaults().page_not_found(r, exception)
)
json_server_error_or_html = _api_or_default(json_server_error, lambda r: _defaults().server_error(r))
