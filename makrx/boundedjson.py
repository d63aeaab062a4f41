"""JSON decoding with a nesting-depth bound, for the API parser and for code that decodes raw bodies itself."""

from __future__ import annotations

import json
import re
from itertools import accumulate

# Deeper than any document the platform accepts or sends; far below the interpreter's recursion limit, which
# ``json`` hits at a few thousand levels (50,000 brackets used to be a RecursionError, i.e. a 500).
MAX_JSON_DEPTH = 32

# A JSON string, escapes included: removed first so that brackets inside strings do not count.
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JSONTooDeep(ValueError):
    """The document nests arrays/objects deeper than allowed.

    A ``ValueError`` like ``json.JSONDecodeError``, so callers that already treat a malformed body as bad input
    treat this one the same way.
    """

    def __init__(self, max_depth: int):
        self.max_depth = max_depth
        super().__init__(f"JSON nested deeper than {max_depth} levels.")


def json_depth_exceeds(text: str, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``text`` opens more than ``max_depth`` nested arrays/objects; linear, no recursion."""
    if text.count("[") + text.count("{") <= max_depth:
        return False  # the common case: too few brackets to be too deep, no scan needed
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    # Running depth after each bracket, computed in C (regex, map, accumulate) rather than a Python loop.
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0) > max_depth


def loads_bounded(raw: bytes | bytearray | str, *, max_depth: int = MAX_JSON_DEPTH, **kwargs):
    """``json.loads`` that refuses documents nested deeper than ``max_depth`` before decoding them.

    Raises ``JSONTooDeep`` (a ``ValueError``) for a too-deep document, and whatever ``json.loads`` raises for a
    malformed one (``json.JSONDecodeError``, ``UnicodeDecodeError``: both ``ValueError``). Bytes are decoded as
    ``json.loads`` would (UTF-8/16/32 detected from the first bytes).
    """
    if isinstance(raw, (bytes, bytearray)):
        raw = bytes(raw).decode(json.detect_encoding(raw), "surrogatepass")
    if json_depth_exceeds(raw, max_depth):
        raise JSONTooDeep(max_depth)
    return json.loads(raw, **kwargs)
