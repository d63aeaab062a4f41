"""Identity: Keycloak token validation, users from claims, roles, admin single sign-on."""
