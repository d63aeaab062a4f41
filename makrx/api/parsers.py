"""Request parsers: JSON that refuses what the rest of the stack cannot carry."""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json as drf_json

from makrx.boundedjson import JSONTooDeep, loads_bounded
from makrx.errors import PayloadTooLarge


class JSONTooDeepError(ParseError):
    default_detail = "JSON parse error - nested too deeply."
    default_code = "too_deep"


class StrictJSONParser(JSONParser):
    """JSON bodies that are shallow enough to decode and whose strings are valid Unicode.

    Depth: ``json`` recurses once per bracket, so 50,000 ``[`` were a ``RecursionError`` (a 500); the body is
    scanned without recursion first and a deep one answers 400 ``too_deep`` (``makrx.boundedjson``).

    Unicode: ``json`` accepts lone surrogate escapes (``"\\ud800"``); such a string cannot be encoded as UTF-8, so
    the database, the logs or the JSON error that echoes it back (``"\\ud800" is not a valid choice``) would fail
    with a 500. Refuse the body as malformed (400 ``parse_error``) instead.

    Size: a JSON body is a form's worth of fields, not a file: over ``API_JSON_MAX_BYTES`` it answers 413
    ``too_large`` without being decoded (files go as multipart under ``UPLOAD_MAX_MB``). At most the limit plus
    one byte is read, whatever ``Content-Length`` claims.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        parse_constant = drf_json.strict_constant if self.strict else None
        limit = settings.API_JSON_MAX_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"A JSON body may be at most {limit // 1024} KB.")
        try:
            text = raw.decode(encoding)
            data = loads_bounded(text, parse_constant=parse_constant)
        except JSONTooDeep as exc:
            raise JSONTooDeepError(f"JSON parse error - {exc}") from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ParseError("JSON parse error - strings must be valid Unicode (no lone surrogates).") from exc
        return data
