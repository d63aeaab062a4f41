"""The earlier store front's ``X-Session-ID`` header: parsed and checked once, and its OpenAPI parameter."""

from __future__ import annotations

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotAuthenticated

from makrx.errors import ValidationError
from store.api.schema import error_doc

SESSION_HEADER = "X-Session-ID"
# Long enough not to be guessed (a UUID is 36), short enough to bound; the charset of X-Request-ID.
SESSION_ID_PATTERN = r"^[A-Za-z0-9._-]{16,128}$"
_SESSION_ID = re.compile(SESSION_ID_PATTERN)

SESSION_ID = OpenApiParameter(
    SESSION_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    pattern=SESSION_ID_PATTERN,
    description="The browser's random id: a guest's cart and orders follow it. Signed in: merges that guest cart.",
)
INVALID_SESSION = error_doc("invalid_session_id: X-Session-ID is not 16-128 letters, digits, '.', '_' or '-'.")
LEGACY_TAGS = ["legacy"]


def session_id(request) -> str | None:
    """The request's session id, ``None`` when absent or blank; 400 ``invalid_session_id`` for anything else
    that is not a plausible random id (it is only ever hashed, but junk is refused rather than stored)."""
    raw = (request.headers.get(SESSION_HEADER) or "").strip()
    if not raw:
        return None
    if not _SESSION_ID.match(raw):
        raise ValidationError(
            "X-Session-ID must be 16 to 128 letters, digits, '.', '_' or '-'.",
            code="invalid_session_id",
            errors={SESSION_HEADER: ["Invalid session id."]},
        )
    return raw


def session_id_required(request) -> str | None:
    """As ``session_id``; a guest without one is refused (400 ``session_id_required``): a guest cart needs it."""
    value = session_id(request)
    if value is None and not request.user.is_authenticated:
        raise ValidationError(
            "Send X-Session-ID (or sign in) to use a cart.",
            code="session_id_required",
            errors={SESSION_HEADER: ["Required for guests."]},
        )
    return value


def caller_required(request) -> str | None:
    """As ``session_id``; neither signed in nor a session id: 401 (nothing to look orders up by)."""
    value = session_id(request)
    if value is None and not request.user.is_authenticated:
        raise NotAuthenticated()
    return value
