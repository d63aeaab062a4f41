"""Catalog read cache: rendered JSON keyed by a catalog version that every catalog or stock change bumps.

Readers build keys from the current version, so a bump makes every cached catalog response stale at once
without scanning Redis. The bump runs after commit, so a reader that sees the new version also sees the new
rows. A cache outage never breaks reads: they fall back to the database.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "store:catalog:version"


def catalog_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY, version)
    return version


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or evicted): any fresh value invalidates what was cached
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    except Exception:  # noqa: BLE001 - cache down: entries expire by their TTL
        logger.warning("catalog cache version bump failed", exc_info=True)


def catalog_cache_invalidate() -> None:
    """Make every cached catalog read stale once the current transaction commits (now, outside one)."""
    transaction.on_commit(_bump)


def canonical_params(query: dict) -> list[tuple[str, str]]:
    """Validated query parameters as sorted ``(name, text)`` pairs; unset (``None``) and blank values left out,
    booleans as ``true``/``false``: one spelling per distinct request, whatever the client sent."""
    params = []
    for name, value in sorted(query.items()):
        if value is None or value == "":
            continue
        params.append((name, ("true" if value else "false") if isinstance(value, bool) else str(value)))
    return params


def catalog_cache_key(name: str, *, host: str, params: list[tuple[str, str]]) -> str:
    """The cache key of a catalog read: the path (``name``), the host and the canonical parameters."""
    raw = urlencode(sorted(params))  # encoded: a value holding "&" or "=" cannot pass for two parameters
    digest = hashlib.sha1(f"{host}|{raw}".encode(), usedforsecurity=False).hexdigest()
    return f"store:catalog:{catalog_version()}:{name}:{digest}"


def cached_bytes(key_builder: Callable[[], str], build: Callable[[], bytes]) -> tuple[bytes, bool]:
    """Return ``(body, hit)``: the cached body for the key, or ``build()`` stored for the next reader."""
    timeout = settings.STORE_CATALOG_CACHE_SECONDS
    if timeout <= 0:
        return build(), False
    try:
        key = key_builder()
        body = cache.get(key)
    except Exception:  # noqa: BLE001 - cache down: serve from the database
        logger.warning("catalog cache read failed", exc_info=True)
        return build(), False
    if body is not None:
        return body, True
    body = build()
    try:
        cache.set(key, body, timeout=timeout)
    except Exception:  # noqa: BLE001
        logger.warning("catalog cache write failed", exc_info=True)
    return body, False
