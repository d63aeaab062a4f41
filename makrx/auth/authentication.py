"""DRF authentication for `Authorization: Bearer <Keycloak access token>`, validated locally."""

from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from makrx.auth.tokens import IdentityProviderUnavailable, TokenRejected, access_token_decode
from makrx.auth.users import user_sync_from_claims


class InvalidToken(exceptions.AuthenticationFailed):
    """401 with a specific machine code (``token_expired``, ``unknown_key``, ...)."""

    default_code = "invalid_token"


class IdentityProviderUnavailableError(exceptions.APIException):
    status_code = 503
    default_code = "identity_provider_unavailable"
    default_detail = "The identity provider is unreachable and its signing keys are not cached; try again shortly."


class KeycloakBearerAuthentication(BaseAuthentication):
    """Bearer tokens from Keycloak (or dev_token in development); the user is found by ``sub``.

    Another scheme in the Authorization header is left to the next authentication class;
    a Bearer header that does not validate is a 401, never an anonymous request.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise InvalidToken("Malformed Authorization header: expected 'Bearer <token>'.", code="malformed_header")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise InvalidToken("The token contains characters a JWT cannot.", code="malformed_token")
        try:
            claims = access_token_decode(token)
        except TokenRejected as exc:
            raise InvalidToken(exc.detail, code=exc.code)
        except IdentityProviderUnavailable:
            raise IdentityProviderUnavailableError()
        user = user_sync_from_claims(claims=claims, client_id=settings.KEYCLOAK_CLIENT_ID)
        if not user.is_active:
            raise InvalidToken("This user account is disabled.", code="user_inactive")
        return user, claims

    def authenticate_header(self, request):
        return 'Bearer realm="makrx"'
