"""Request parsers: JSON that refuses what the rest of the stack cannot carry."""

from __future__ import annotations

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class StrictJSONParser(JSONParser):
    """JSON bodies whose strings are valid Unicode.

    ``json`` accepts lone surrogate escapes (``"\\ud800"``); such a string cannot be encoded as UTF-8, so the
    database, the logs or the JSON error that echoes it back (``"\\ud800" is not a valid choice``) would fail with
    a 500. Refuse the body as malformed (400 ``parse_error``) instead.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type=media_type, parser_context=parser_context)
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ParseError("JSON parse error - strings must be valid Unicode (no lone surrogates).") from exc
        return data
