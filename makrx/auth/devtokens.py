"""Development tokens: a local RSA key that signs tokens with issuer ``makrx-dev``.

Trusted only while ``settings.DEV_TOKENS_ENABLED`` (ENVIRONMENT=development and no
Keycloak configured), checked on every request. The key file is created on first use.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

DEV_ISSUER = "makrx-dev"
DEV_KEY_ID = "makrx-dev"

_cache: dict[tuple[str, float], object] = {}
_lock = threading.Lock()


def _key_path() -> Path:
    return Path(settings.DEV_TOKEN_KEY_PATH)


def private_key_get_or_create():
    """The development private key, created (mode 0600) when missing."""
    path = _key_path()
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        return key
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def public_key():
    """The public half of the development key, or None when there is no (valid) key file."""
    path = _key_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    cache_key = (str(path), mtime)
    with _lock:
        if cache_key in _cache:
            return _cache[cache_key]
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None).public_key()
    except (OSError, ValueError, TypeError):
        return None
    with _lock:
        _cache.clear()
        _cache[cache_key] = key
    return key


def dev_token_mint(
    *,
    username: str,
    roles: list[str],
    minutes: int = 60,
    email: str | None = None,
    first_name: str = "",
    last_name: str = "",
    subject: str | None = None,
) -> str:
    """A signed access token shaped like Keycloak's, for local development (``sub`` is ``dev:<username>``
    unless ``subject`` names an existing user's subject)."""
    now = int(time.time())
    client_id = settings.KEYCLOAK_CLIENT_ID
    claims = {
        "iss": DEV_ISSUER,
        "sub": subject or f"dev:{username}",
        "aud": client_id,
        "azp": client_id,
        "typ": "Bearer",
        "iat": now,
        "exp": now + minutes * 60,
        "jti": str(uuid.uuid4()),
        "preferred_username": username,
        "email": email or f"{username}@example.test",
        "given_name": first_name,
        "family_name": last_name,
        "realm_access": {"roles": list(roles)},
    }
    return jwt.encode(claims, private_key_get_or_create(), algorithm="RS256", headers={"kid": DEV_KEY_ID})
