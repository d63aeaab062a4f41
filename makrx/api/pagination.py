"""Pagination: page numbers ``?page=&page_size=`` (max 100) → {count, next, previous, results}, and keyset cursors.

A keyset ("cursor") page is addressed by the sort key of the last row the client saw instead of an offset, so
page 2,000 costs what page 1 costs and rows added or removed between two requests never make a page skip or
repeat a row. The cursor is opaque to clients: base64url of ``{"o": ordering, "k": [sort key values as text]}``.
A list that offers cursors answers the same envelope; its ``next`` link carries the cursor (``previous`` is
null: a keyset walk goes forward, page numbers serve going back).
"""

from __future__ import annotations

import base64
import binascii
import json

from rest_framework.pagination import PageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from makrx.boundedjson import loads_bounded
from makrx.errors import ValidationError

CURSOR_PARAM = "cursor"
# ``?cursor=`` (empty) or ``?cursor=start``: the first keyset page.
FIRST_CURSOR = "start"
MAX_CURSOR_LENGTH = 1000


class StandardPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def cursor_encode(*, ordering: str, key: list[str]) -> str:
    """The cursor pointing after a row whose sort key (in the ordering's column order, as text) is ``key``."""
    raw = json.dumps({"o": ordering, "k": key}, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(token: str, *, ordering: str, size: int) -> list[str] | None:
    """The sort key a cursor carries (``None`` for the first page); a 400 ``invalid_cursor`` when it was not made
    for this ordering or is not a cursor at all."""
    if token in ("", FIRST_CURSOR):
        return None
    try:
        data = loads_bounded(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))  # deep: ValueError
        key = data["k"]
        valid = data["o"] == ordering and isinstance(key, list) and len(key) == size
        valid = valid and all(isinstance(value, str) and len(value) <= MAX_CURSOR_LENGTH for value in key)
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        valid = False
    if not valid:
        raise ValidationError(
            "The cursor is not valid for this list (take it from a `next` link of the same ordering).",
            errors={CURSOR_PARAM: ["Invalid cursor."]},
            code="invalid_cursor",
        )
    return key


def cursor_next_link(request, token: str | None) -> str | None:
    """The absolute URL of the next keyset page (the request's query with ``cursor`` replaced, no ``page``)."""
    if token is None:
        return None
    url = remove_query_param(request.build_absolute_uri(), StandardPagination.page_query_param)
    return replace_query_param(url, CURSOR_PARAM, token)
