"""Catalog read cache: rendered JSON keyed by a catalog version that every catalog or stock change bumps.

Readers build keys from the current version, so a bump makes every cached catalog response stale at once
without scanning Redis. The bump runs after commit, so a reader that sees the new version also sees the new
rows. A cache outage never breaks reads: they fall back to the database.

A hit costs one Redis round trip: the version. Two process-local maps, both bounded, save the rest, and neither
can serve a stale page because both sit behind the version read from Redis on every request:

- the bodies this process last read or built, keyed by the full versioned key (``STORE_CATALOG_LOCAL_CACHE_MB``);
- the entry each request this process answered maps to (``cached_hit``): the validated, canonical parameters are
  a function of the host, path, raw query string and ``Accept`` header alone, so a request seen before skips
  validation (and DRF) on its next hit. Only requests that validated are remembered; junk parameters fill at most
  this bounded map, never Redis.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "store:catalog:version"
# Requests whose canonical entry a process remembers, and the longest identity remembered (host, path, query
# string and Accept header together; a longer one is answered the full way): a few MB per process at most.
KNOWN_REQUESTS = 4096
KNOWN_REQUEST_MAX_CHARS = 1024


class CacheUnavailable(Exception):
    """The cache could not be read; the caller answers from the database without trying it again."""


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


def catalog_cache_entry(name: str, *, host: str, params: list[tuple[str, str]]) -> str:
    """The version-free part of a catalog read's key: the path (``name``), the host and the canonical
    parameters."""
    raw = urlencode(sorted(params))  # encoded: a value holding "&" or "=" cannot pass for two parameters
    digest = hashlib.sha1(f"{host}|{raw}".encode(), usedforsecurity=False).hexdigest()
    return f"{name}:{digest}"


class _Lru:
    """A bounded, thread-safe least-recently-used map (gthread workers answer requests in threads)."""

    def __init__(self, capacity: Callable[[], int], weigh: Callable[[object], int] = lambda value: 1):
        self._capacity, self._weigh = capacity, weigh
        self._items: OrderedDict = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        capacity, weight = self._capacity(), self._weigh(value)
        if weight * 8 > capacity:
            return  # one large value must not flush everything else (nor be kept at all when disabled)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._weight -= self._weigh(old)
            self._items[key] = value
            self._weight += weight
            while self._weight > capacity:
                _, old = self._items.popitem(last=False)
                self._weight -= self._weigh(old)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._weight = 0


# Bodies as ``(monotonic deadline, body)``: a copy lives no longer than an entry in Redis would from when this
# process read it, so the TTL stays the backstop for a change that was never announced.
_bodies = _Lru(lambda: settings.STORE_CATALOG_LOCAL_CACHE_MB * 2**20, weigh=lambda value: len(value[1]))
_known = _Lru(lambda: KNOWN_REQUESTS)


def local_copies_clear() -> None:
    """Forget this process's copies and remembered requests: what a new worker process starts with (tests)."""
    _bodies.clear()
    _known.clear()


def _lookup(entry: str) -> tuple[str, bytes | None]:
    """``(key, body or None)`` for ``entry`` at the current version: the version from Redis (one round trip),
    then this process's copy of the body, then Redis."""
    key = f"store:catalog:{catalog_version()}:{entry}"
    local = _bodies.get(key)
    if local is not None and local[0] > time.monotonic():
        return key, local[1]
    body = cache.get(key)
    if body is not None:
        _keep(key, body)
    return key, body


def _keep(key: str, body: bytes) -> None:
    _bodies.put(key, (time.monotonic() + settings.STORE_CATALOG_CACHE_SECONDS, body))


def cached_hit(identity: tuple[str, ...]) -> bytes | None:
    """The cached body for a request this process answered before (``identity``: everything its answer
    depended on before validation), or ``None``: answer it the full way. Raises ``CacheUnavailable``."""
    if settings.STORE_CATALOG_CACHE_SECONDS <= 0:
        return None
    entry = _known.get(identity)
    if entry is None:
        return None
    try:
        return _lookup(entry)[1]
    except Exception as exc:  # noqa: BLE001 - cache down: serve from the database
        logger.warning("catalog cache read failed", exc_info=True)
        raise CacheUnavailable from exc


def cached_bytes(
    entry: str, build: Callable[[], bytes], *, identity: tuple[str, ...] | None = None, use_cache: bool = True
) -> tuple[bytes, bool]:
    """Return ``(body, hit)``: the cached body for ``entry``, or ``build()`` stored for the next reader.
    With ``identity``, later requests with that identity are answered by ``cached_hit``."""
    timeout = settings.STORE_CATALOG_CACHE_SECONDS
    if timeout <= 0 or not use_cache:
        return build(), False
    try:
        key, body = _lookup(entry)
    except Exception:  # noqa: BLE001 - cache down: serve from the database
        logger.warning("catalog cache read failed", exc_info=True)
        return build(), False
    hit = body is not None
    if not hit:
        body = build()
        try:
            cache.set(key, body, timeout=timeout)
        except Exception:  # noqa: BLE001
            logger.warning("catalog cache write failed", exc_info=True)
        else:
            _keep(key, body)
    if identity is not None and sum(map(len, identity)) <= KNOWN_REQUEST_MAX_CHARS:
        _known.put(identity, entry)
    return body, hit
