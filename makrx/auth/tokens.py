"""Local validation of Keycloak access and ID tokens (RS256 only, never a call per request)."""

from __future__ import annotations

import logging

import jwt
from django.conf import settings

from makrx.auth import devtokens, keys

logger = logging.getLogger("makrx.auth")

ALGORITHMS = ["RS256"]
REQUIRED_CLAIMS = ["exp", "iat", "iss", "sub"]
MAX_TOKEN_LENGTH = 16 * 1024


class TokenRejected(Exception):
    """The token is not acceptable; ``code`` is the machine code for the 401 answer."""

    def __init__(self, detail: str, code: str = "invalid_token"):
        super().__init__(detail)
        self.detail = detail
        self.code = code


class IdentityProviderUnavailable(Exception):
    """No key is known for the token and the identity provider cannot be reached."""


def _unverified_parts(token: str) -> tuple[dict, dict]:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenRejected("The token is empty or too long.", "malformed_token")
    try:
        header = jwt.get_unverified_header(token)
        payload = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError, UnicodeError):
        raise TokenRejected("The token is not a well-formed JWT.", "malformed_token")
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise TokenRejected("The token is not a well-formed JWT.", "malformed_token")
    if header.get("alg") not in ALGORITHMS:
        raise TokenRejected("Only RS256-signed tokens are accepted.", "unsupported_algorithm")
    return header, payload


def _keycloak_key(header: dict):
    if not settings.KEYCLOAK_USE_JWKS:
        try:
            return keys.realm_public_key()
        except keys.KeySourceUnavailable as exc:
            raise IdentityProviderUnavailable(str(exc)) from exc
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenRejected("The token header has no key id (kid).", "unknown_key")
    try:
        return keys.jwks_signing_key(kid)
    except keys.UnknownKey:
        raise TokenRejected("The token is signed by a key the identity provider does not publish.", "unknown_key")
    except keys.KeySourceUnavailable as exc:
        raise IdentityProviderUnavailable(str(exc)) from exc


def _decode(token: str, key, *, issuer: str, audience: str | None = None, required=REQUIRED_CLAIMS) -> dict:
    options = {"require": list(required), "verify_aud": audience is not None}
    try:
        return jwt.decode(
            token,
            key=key,
            algorithms=ALGORITHMS,
            issuer=issuer,
            audience=audience,
            leeway=settings.KEYCLOAK_LEEWAY_SECONDS,
            options=options,
        )
    except jwt.ExpiredSignatureError:
        raise TokenRejected("The token has expired.", "token_expired")
    except jwt.ImmatureSignatureError:
        raise TokenRejected("The token is not valid yet.", "token_not_yet_valid")
    except jwt.MissingRequiredClaimError as exc:
        raise TokenRejected(f"The token lacks the required claim {exc.claim!r}.", "invalid_token")
    except jwt.InvalidIssuerError:
        raise TokenRejected("The token was issued by another issuer.", "invalid_issuer")
    except jwt.InvalidAudienceError:
        raise TokenRejected("The token is not meant for this service.", "invalid_audience")
    except jwt.InvalidSignatureError:
        raise TokenRejected("The token signature does not verify.", "invalid_signature")
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise TokenRejected(f"The token is invalid: {exc}", "invalid_token")


def audience_matches(claims: dict, client_id: str) -> bool:
    """``client_id`` is in ``aud`` (string or list) or is the authorized party ``azp``."""
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
    return client_id in audiences or claims.get("azp") == client_id


def _check_access_claims(claims: dict) -> None:
    if not isinstance(claims.get("sub"), str) or not claims["sub"].strip():
        raise TokenRejected("The token subject is empty.", "invalid_token")
    token_type = claims.get("typ")
    if token_type is not None and (not isinstance(token_type, str) or token_type.lower() != "bearer"):
        raise TokenRejected("This is not an access token.", "invalid_token")
    if settings.KEYCLOAK_VERIFY_AUD and not audience_matches(claims, settings.KEYCLOAK_CLIENT_ID):
        raise TokenRejected("The token is not meant for this service.", "invalid_audience")


def access_token_decode(token: str) -> dict:
    """Verified claims of a Keycloak (or, in development, a dev_token) access token."""
    header, unverified = _unverified_parts(token)
    issuer_claim = unverified.get("iss")
    if issuer_claim == devtokens.DEV_ISSUER:
        if not settings.DEV_TOKENS_ENABLED:
            raise TokenRejected("Development tokens are not accepted here.", "invalid_issuer")
        key = devtokens.public_key()
        if key is None or header.get("kid") != devtokens.DEV_KEY_ID:
            raise TokenRejected("No development key signs this token.", "unknown_key")
        issuer = devtokens.DEV_ISSUER
    else:
        issuer = settings.KEYCLOAK_ISSUER
        if not settings.KEYCLOAK_CONFIGURED or not issuer:
            raise TokenRejected("No identity provider is configured to accept this token.", "invalid_issuer")
        # Before any key lookup: a foreign issuer never costs a fetch.
        if issuer_claim != issuer:
            raise TokenRejected("The token was issued by another issuer.", "invalid_issuer")
        key = _keycloak_key(header)
    claims = _decode(token, key, issuer=issuer)
    _check_access_claims(claims)
    return claims


def id_token_decode(token: str, *, nonce: str | None = None) -> dict:
    """Verified claims of an OIDC ID token: signature, issuer, audience (our client), nonce."""
    if not settings.KEYCLOAK_CONFIGURED:
        raise TokenRejected("No identity provider is configured.", "invalid_issuer")
    header, unverified = _unverified_parts(token)
    issuer = settings.KEYCLOAK_ISSUER
    if unverified.get("iss") != issuer:
        raise TokenRejected("The ID token was issued by another issuer.", "invalid_issuer")
    client_id = settings.KEYCLOAK_CLIENT_ID
    claims = _decode(
        token, _keycloak_key(header), issuer=issuer, audience=client_id, required=[*REQUIRED_CLAIMS, "aud"]
    )
    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise TokenRejected("The ID token was issued to another client.", "invalid_audience")
    token_type = claims.get("typ")
    if token_type is not None and token_type != "ID":
        raise TokenRejected("This is not an ID token.", "invalid_token")
    if nonce is not None and claims.get("nonce") != nonce:
        raise TokenRejected("The ID token nonce does not match.", "invalid_nonce")
    if not isinstance(claims.get("sub"), str) or not claims["sub"].strip():
        raise TokenRejected("The ID token subject is empty.", "invalid_token")
    return claims
