"""A Keycloak stand-in on loopback (pytest-httpserver) and a fixture minting real RS256 tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug import Response

from makrx.auth import keys as key_cache

CLIENT_ID = "makrx-admin"
_KEY_POOL: list = []


def _new_private_key():
    """RSA keys are slow to make; tests share a small pool (each test gives them fresh kids)."""
    if len(_KEY_POOL) < 6:
        _KEY_POOL.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return _KEY_POOL[-1]
    _KEY_POOL.append(_KEY_POOL.pop(0))
    return _KEY_POOL[-1]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_pem(private_key) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


class KeycloakStandIn:
    """Serves one realm: discovery, JWKS, realm document (public_key), token and userinfo endpoints."""

    def __init__(self, server, realm: str = "makrx"):
        self.server = server
        self.realm = realm
        self.base = f"/realms/{realm}"
        self.issuer = server.url_for(self.base).rstrip("/")
        self.private_keys: dict[str, object] = {}
        self.published: list[str] = []
        self.jwks_requests = 0
        self.realm_requests = 0
        self.down = False
        self.token_requests: list[dict] = []
        self.token_response: dict | None = None
        self._lock = threading.Lock()
        self.kid = self.add_key()
        oidc = f"{self.base}/protocol/openid-connect"
        server.expect_request(f"{oidc}/certs").respond_with_handler(self._jwks)
        server.expect_request(self.base).respond_with_handler(self._realm)
        server.expect_request(f"{self.base}/.well-known/openid-configuration").respond_with_json(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/protocol/openid-connect/auth",
                "token_endpoint": f"{self.issuer}/protocol/openid-connect/token",
                "userinfo_endpoint": f"{self.issuer}/protocol/openid-connect/userinfo",
                "jwks_uri": f"{self.issuer}/protocol/openid-connect/certs",
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )
        server.expect_request(f"{oidc}/token", method="POST").respond_with_handler(self._token)

    # --- keys ------------------------------------------------------------------------------
    def add_key(self, kid: str | None = None, *, publish: bool = True) -> str:
        kid = kid or f"kid-{uuid.uuid4().hex[:10]}"
        self.private_keys[kid] = _new_private_key()
        if publish:
            self.published.append(kid)
        return kid

    def rotate(self) -> str:
        """A new signing key; the old ones disappear from the JWKS."""
        kid = self.add_key(publish=False)
        self.published = [kid]
        self.kid = kid
        return kid

    def jwks_document(self) -> dict:
        keys = []
        for kid in self.published:
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_keys[kid].public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        # Keycloak also publishes an encryption key; it must be ignored.
        keys.append({**keys[0], "kid": "enc-key", "use": "enc", "alg": "RSA-OAEP"} if keys else {})
        return {"keys": keys}

    def public_key_der_b64(self) -> str:
        der = (
            self.private_keys[self.kid]
            .public_key()
            .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        return base64.b64encode(der).decode()

    # --- handlers --------------------------------------------------------------------------
    def _jwks(self, request):
        with self._lock:
            self.jwks_requests += 1
        if self.down:
            return Response("down", status=503)
        return Response(json.dumps(self.jwks_document()), content_type="application/json")

    def _realm(self, request):
        with self._lock:
            self.realm_requests += 1
        if self.down:
            return Response("down", status=503)
        body = {"realm": self.realm, "public_key": self.public_key_der_b64(), "token-service": "…"}
        return Response(json.dumps(body), content_type="application/json")

    def _token(self, request):
        self.token_requests.append(dict(request.form))
        if self.token_response is None:
            return Response(json.dumps({"error": "invalid_grant"}), status=400, content_type="application/json")
        return Response(json.dumps(self.token_response), content_type="application/json")

    # --- tokens ----------------------------------------------------------------------------
    def claims(self, **overrides) -> dict:
        now = int(time.time())
        sub = overrides.pop("sub", "11111111-2222-3333-4444-555555555555")
        claims = {
            "iss": self.issuer,
            "sub": sub,
            "aud": "account",
            "azp": "makrx-spa",
            "typ": "Bearer",
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
            "preferred_username": "alice",
            "email": "alice@example.test",
            "given_name": "Alice",
            "family_name": "Maker",
            "realm_access": {"roles": ["offline_access", "uma_authorization"]},
        }
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not ...}

    def mint(self, *, kid: str | None = None, headers: dict | None = None, roles=None, client_roles=None, **overrides):
        """A real RS256 token; pass ``claim=...`` (Ellipsis) to drop a claim."""
        kid = kid or self.kid
        claims = self.claims(**overrides)
        if roles is not None:
            claims["realm_access"] = {"roles": list(roles)}
        if client_roles is not None:
            claims["resource_access"] = {CLIENT_ID: {"roles": list(client_roles)}}
        header = {"kid": kid, **(headers or {})}
        header = {name: value for name, value in header.items() if value is not ...}
        return jwt.encode(claims, self.private_keys[kid], algorithm="RS256", headers=header)

    def mint_id_token(self, *, nonce="nonce-1", **overrides) -> str:
        overrides.setdefault("aud", CLIENT_ID)
        overrides.setdefault("azp", CLIENT_ID)
        overrides.setdefault("typ", "ID")
        overrides.setdefault("nonce", nonce)
        overrides.setdefault("realm_access", ...)
        return self.mint(**overrides)


def unsigned_token(header: dict, payload: dict, signature: bytes = b"") -> str:
    head = b64url(json.dumps(header).encode())
    body = b64url(json.dumps(payload).encode())
    return f"{head}.{body}.{b64url(signature)}"


def hs256_token(secret: bytes, header: dict, payload: dict) -> str:
    """HS256 by hand: PyJWT itself refuses a PEM public key as an HMAC secret."""
    head = b64url(json.dumps({**header, "alg": "HS256"}).encode())
    body = b64url(json.dumps(payload).encode())
    signature = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(signature)}"


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    key_cache.clear_local_cache()
    yield
    key_cache.clear_local_cache()


@pytest.fixture
def keycloak(httpserver, settings):
    """The realm `makrx` on loopback, configured as this platform's identity provider."""
    idp = KeycloakStandIn(httpserver)
    settings.KEYCLOAK_ISSUER = idp.issuer
    settings.KEYCLOAK_CONFIGURED = True
    settings.KEYCLOAK_CLIENT_ID = CLIENT_ID
    settings.KEYCLOAK_CLIENT_SECRET = "client-secret"
    settings.KEYCLOAK_USE_JWKS = True
    settings.KEYCLOAK_VERIFY_AUD = False
    settings.KEYCLOAK_PK_TTL_SECONDS = 300
    settings.KEYCLOAK_LEEWAY_SECONDS = 30
    settings.KEYCLOAK_HTTP_TIMEOUT = 2.0
    settings.DEV_TOKENS_ENABLED = False
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "client-secret"
    oidc = f"{idp.issuer}/protocol/openid-connect"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{oidc}/auth"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{oidc}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{oidc}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{oidc}/certs"
    return idp


@pytest.fixture
def other_realm(httpserver, keycloak):
    """A second realm on the same server: its tokens must never be accepted."""
    return KeycloakStandIn(httpserver, realm="other")


@pytest.fixture
def bearer(api_client):
    """GET /api/v1/auth/me with a given Authorization header value (or a bare token)."""

    def call(token: str | None = None, *, header: str | None = None):
        if header is None and token is not None:
            header = f"Bearer {token}"
        kwargs = {"HTTP_AUTHORIZATION": header} if header is not None else {}
        return api_client.get("/api/v1/auth/me", **kwargs)

    return call


def assert_unauthorized(response, code: str | None = None):
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert set(body) >= {"detail", "code", "request_id"}
    assert body["detail"]
    if code:
        assert body["code"] == code, body
    return body
