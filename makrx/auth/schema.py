"""drf-spectacular: the Keycloak bearer scheme (``bearerAuth``) on every protected operation."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class KeycloakBearerScheme(OpenApiAuthenticationExtension):
    target_class = "makrx.auth.authentication.KeycloakBearerAuthentication"
    name = "bearerAuth"
    priority = 1  # wins over the platform's placeholder in makrx.api.schema

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="HTTP_AUTHORIZATION", token_prefix="Bearer", bearer_format="JWT"
        )
