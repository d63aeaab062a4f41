"""How many products a list matches, without counting 100,000 rows on every page.

Every list request counts its matches up to ``STORE_CATALOG_COUNT_LIMIT`` + 1 (a ``LIMIT`` inside the count:
at most that many index entries, whatever the catalog's size). Up to the limit that is the exact count. Above
it, the exact count is taken once and kept in the cache under the catalog version (``catalog_cache``), so it
stays exact: every catalog or stock change bumps the version and the next request counts again. Clients see
the same ``count`` as before, always exact; only its cost changed. ``STORE_CATALOG_COUNT_SECONDS`` = 0 turns the
kept counts off (every request above the limit counts everything). The category tree's product counts (a grouped
count over every active product) are kept the same way.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

from store.catalog_cache import catalog_version

logger = logging.getLogger(__name__)


def count_limit() -> int:
    return settings.STORE_CATALOG_COUNT_LIMIT


def matches_count(*, capped: int, statement: str, exact: Callable[[], int]) -> int:
    """The list's count from its capped count (``capped`` ≤ ``count_limit() + 1``): exact below the limit, else
    the exact count kept for this catalog version and ``statement`` (the list's WHERE clause with its values)."""
    if capped <= count_limit():
        return capped
    return kept(f"count:{statement}", exact)


def kept(name: str, compute: Callable[[], object]):
    """``compute()`` kept in the cache for the current catalog version (any catalog or stock change makes it stale)
    for ``STORE_CATALOG_COUNT_SECONDS``; computed every time when that is 0 or the cache is down."""
    timeout = settings.STORE_CATALOG_COUNT_SECONDS
    if timeout <= 0:
        return compute()
    key = None
    try:
        digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()
        key = f"store:catalog:{catalog_version()}:kept:{digest}"
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - cache down: compute in the database
        logger.warning("catalog count cache read failed", exc_info=True)
        value = None
    if value is not None:
        return value
    value = compute()
    if key is not None:
        try:
            cache.set(key, value, timeout=timeout)
        except Exception:  # noqa: BLE001
            logger.warning("catalog count cache write failed", exc_info=True)
    return value
