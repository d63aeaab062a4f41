"""DRF authentication for `Authorization: Bearer <Keycloak access token>` (placeholder until identity lands)."""

from rest_framework.authentication import BaseAuthentication


class KeycloakBearerAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        return None

    def authenticate_header(self, request):
        return 'Bearer realm="makrx"'
