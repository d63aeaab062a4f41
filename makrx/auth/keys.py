"""Keycloak signing keys: the realm JWKS (by ``kid``) or the realm public key, cached.

Keys live in two places for ``KEYCLOAK_PK_TTL_SECONDS``: this process (no cache round trip
per request) and the shared cache (one fetch serves every process). A last-known-good copy
is kept for a week so that an identity provider outage does not break requests whose keys
we already know. An unknown ``kid`` may trigger one refetch per ``REFETCH_INTERVAL_SECONDS``
across all processes (a shared-cache ``add()`` lock plus an in-process clock), so a flood of
random ``kid``s costs at most a couple of fetches.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives.serialization import load_der_public_key
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger("makrx.auth")

REFETCH_INTERVAL_SECONDS = 30
STALE_TTL_SECONDS = 7 * 24 * 3600
# Retry a down identity provider at most this often while serving the last-known-good keys.
OUTAGE_RETRY_SECONDS = 30
REALM_KEY_ID = ""  # the realm public key has no kid; it is stored under this name


class KeySourceUnavailable(Exception):
    """The identity provider could not be reached and no key is known."""


class UnknownKey(Exception):
    """The token names a key the realm does not publish (after at most one refetch)."""


@dataclass
class _Entry:
    expires_at: float
    keys: dict[str, Any]


_local: dict[tuple[str, str], _Entry] = {}
_last_refetch: dict[str, float] = {}
_lock = threading.Lock()


def clear_local_cache() -> None:
    """Forget every in-process key (tests; a rotated realm you want picked up at once)."""
    with _lock:
        _local.clear()
        _last_refetch.clear()


def jwks_url() -> str:
    return f"{settings.KEYCLOAK_ISSUER}/protocol/openid-connect/certs"


def realm_url() -> str:
    return settings.KEYCLOAK_ISSUER


def _cache_key(kind: str, url: str) -> str:
    return f"makrx:auth:{kind}:{hashlib.sha256(url.encode()).hexdigest()[:24]}"


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must not break authentication
        logger.warning("key cache unavailable (get %s)", key, exc_info=True)
        return None


def _cache_set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:  # noqa: BLE001
        logger.warning("key cache unavailable (set %s)", key, exc_info=True)


def _fetch_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=settings.KEYCLOAK_HTTP_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise KeySourceUnavailable(f"Could not fetch {url}: {exc}") from exc
    if not isinstance(document, dict):
        raise KeySourceUnavailable(f"{url} did not return a JSON object.")
    return document


def _parse_jwks(document: dict) -> dict[str, Any]:
    """RS256 signing keys by kid; anything else in the set is ignored."""
    keys: dict[str, Any] = {}
    for jwk in document.get("keys") or []:
        if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
            continue
        if jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
            continue
        try:
            keys[jwk["kid"]] = jwt.PyJWK(jwk, algorithm="RS256").key
        except (jwt.PyJWTError, ValueError, TypeError):
            logger.warning("ignoring unusable JWK %r", jwk.get("kid"))
    if not keys:
        raise KeySourceUnavailable("The JWKS has no RS256 signing key.")
    return keys


def _parse_realm(document: dict) -> dict[str, Any]:
    encoded = document.get("public_key")
    if not isinstance(encoded, str) or not encoded:
        raise KeySourceUnavailable("The realm document has no public_key.")
    try:
        return {REALM_KEY_ID: load_der_public_key(base64.b64decode(encoded))}
    except (ValueError, TypeError) as exc:
        raise KeySourceUnavailable(f"The realm public_key is not a valid key: {exc}") from exc


_PARSERS = {"jwks": _parse_jwks, "realm": _parse_realm}


def _store(kind: str, url: str, document: dict, keys: dict[str, Any]) -> dict[str, Any]:
    ttl = max(0, int(settings.KEYCLOAK_PK_TTL_SECONDS))
    _cache_set(_cache_key(kind, url), document, ttl)
    _cache_set(_cache_key(f"{kind}-stale", url), document, STALE_TTL_SECONDS)
    with _lock:
        _local[(kind, url)] = _Entry(time.monotonic() + ttl, keys)
    return keys


def _fetch(kind: str, url: str) -> dict[str, Any]:
    document = _fetch_json(url)
    keys = _PARSERS[kind](document)
    logger.info("fetched %s keys from %s: %s", kind, url, sorted(keys))
    return _store(kind, url, document, keys)


def _from_shared_cache(kind: str, url: str, cache_kind: str) -> dict[str, Any] | None:
    document = _cache_get(_cache_key(cache_kind, url))
    if not isinstance(document, dict):
        return None
    try:
        return _PARSERS[kind](document)
    except KeySourceUnavailable:
        return None


def _current(kind: str, url: str) -> dict[str, Any]:
    """Fresh keys from this process, the shared cache or the provider; stale ones in an outage."""
    entry = _local.get((kind, url))
    if entry is not None and entry.expires_at > time.monotonic():
        return entry.keys
    shared = _from_shared_cache(kind, url, kind)
    if shared is not None:
        with _lock:
            _local[(kind, url)] = _Entry(time.monotonic() + max(0, int(settings.KEYCLOAK_PK_TTL_SECONDS)), shared)
        return shared
    try:
        return _fetch(kind, url)
    except KeySourceUnavailable:
        stale = entry.keys if entry is not None else _from_shared_cache(kind, url, f"{kind}-stale")
        if stale is None:
            raise
        logger.warning("identity provider unreachable; using last known %s keys from %s", kind, url)
        with _lock:
            _local[(kind, url)] = _Entry(time.monotonic() + OUTAGE_RETRY_SECONDS, stale)
        return stale


def _may_refetch(url: str) -> bool:
    """One unknown-kid refetch per interval, across processes (shared lock) and in this one."""
    now = time.monotonic()
    with _lock:
        last = _last_refetch.get(url)
        if last is not None and now - last < REFETCH_INTERVAL_SECONDS:
            return False
        _last_refetch[url] = now
    try:
        return bool(cache.add(_cache_key("jwks-refetch", url), 1, REFETCH_INTERVAL_SECONDS))
    except Exception:  # noqa: BLE001 - without the shared cache, the in-process clock still limits
        logger.warning("key cache unavailable for the refetch lock", exc_info=True)
        return True


def jwks_signing_key(kid: str):
    """The realm's public key named ``kid``; raises UnknownKey or KeySourceUnavailable."""
    url = jwks_url()
    keys = _current("jwks", url)
    if kid in keys:
        return keys[kid]
    # Another process may already have picked up a rotation.
    shared = _from_shared_cache("jwks", url, "jwks")
    if shared is not None and kid in shared:
        with _lock:
            _local[("jwks", url)] = _Entry(time.monotonic() + max(0, int(settings.KEYCLOAK_PK_TTL_SECONDS)), shared)
        return shared[kid]
    if _may_refetch(url):
        try:
            keys = _fetch("jwks", url)
        except KeySourceUnavailable:
            logger.warning("JWKS refetch for unknown kid failed", exc_info=True)
            raise UnknownKey(kid)
        if kid in keys:
            return keys[kid]
    raise UnknownKey(kid)


def realm_public_key():
    """The realm public key from ``GET {issuer}`` (KEYCLOAK_USE_JWKS=false)."""
    return _current("realm", realm_url())[REALM_KEY_ID]
