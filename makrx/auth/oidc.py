"""Admin single sign-on: a mozilla-django-oidc backend that trusts Keycloak like the API does.

The library verifies the ID token signature only; this backend also checks its issuer,
audience (our client), ``azp`` and nonce with the same cached keys as the API, reads the
roles from the (validated) access token, and finds users by ``sub`` with the one shared
claim mapping (makrx.auth.users), so staff and superuser status come only from roles.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from makrx.auth.tokens import IdentityProviderUnavailable, TokenRejected, access_token_decode, id_token_decode
from makrx.auth.users import user_sync_from_claims

logger = logging.getLogger("makrx.auth")


class KeycloakOIDCBackend(OIDCAuthenticationBackend):
    def verify_token(self, token, **kwargs):
        """Verified ID token claims, or None (the login fails without a 500)."""
        try:
            return id_token_decode(token, nonce=kwargs.get("nonce"))
        except (TokenRejected, IdentityProviderUnavailable) as exc:
            logger.warning("admin SSO: ID token refused: %s", exc)
            return None

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims plus the roles of the validated access token (no userinfo call)."""
        try:
            access_claims = access_token_decode(access_token)
        except (TokenRejected, IdentityProviderUnavailable) as exc:
            raise SuspiciousOperation(f"access token refused: {exc}")
        if access_claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("the access token and the ID token name different users")
        claims = dict(payload)
        for name in ("realm_access", "resource_access"):
            if name in access_claims:
                claims[name] = access_claims[name]
        return claims

    def verify_claims(self, claims):
        return isinstance(claims.get("sub"), str) and bool(claims["sub"].strip())

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(keycloak_sub=claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("Claims verification failed")
        return user_sync_from_claims(claims=claims, client_id=settings.KEYCLOAK_CLIENT_ID)
