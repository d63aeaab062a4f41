"""Part-number normalization shared by the catalog and BOM matching."""

from __future__ import annotations

import re
import unicodedata

# Hyphen-like characters that people paste from datasheets and distributor pages.
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_STRIP = re.compile(r"[\s" + re.escape(_DASHES) + r"_./]+")


def normalize_mpn(value: str | None) -> str:
    """Uppercase, NFKC-fold and drop whitespace, dashes (incl. unicode minus), underscores, dots, slashes.

    ``"lm 358-dr"``, ``"LM358DR"`` and ``"LM358\u2212DR"`` all become ``"LM358DR"``.
    """
    if not value:
        return ""
    folded = unicodedata.normalize("NFKC", value)
    return _STRIP.sub("", folded).upper()
