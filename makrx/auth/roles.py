"""Platform role names (DESIGN.md §4) and the checks every app uses.

Roles come from Keycloak (realm roles plus client roles of KEYCLOAK_CLIENT_ID) and are
kept on ``User.roles`` each time a token or OIDC login is seen, so checks work the same
for API requests, admin sessions and tests.
"""

from __future__ import annotations

from collections.abc import Iterable

SUPER_ADMIN = "super_admin"
ADMIN = "admin"
STORE_ADMIN = "store_admin"
MAKERSPACE_ADMIN = "makerspace_admin"
SERVICE_PROVIDER = "service_provider"

PLATFORM_ROLES = (SUPER_ADMIN, ADMIN, STORE_ADMIN, MAKERSPACE_ADMIN, SERVICE_PROVIDER)
STAFF_ROLES = frozenset({SUPER_ADMIN, ADMIN, STORE_ADMIN, MAKERSPACE_ADMIN})

# Per-makerspace roles live on makerspace memberships, not in Keycloak.
MEMBER_ROLE_MEMBER = "member"
MEMBER_ROLE_STAFF = "staff"
MEMBER_ROLE_MANAGER = "manager"
MEMBER_ROLE_ADMIN = "admin"
MAKERSPACE_MANAGING_ROLES = frozenset({MEMBER_ROLE_MANAGER, MEMBER_ROLE_ADMIN})
MAKERSPACE_STAFF_ROLES = frozenset({MEMBER_ROLE_STAFF, MEMBER_ROLE_MANAGER, MEMBER_ROLE_ADMIN})
MAKERSPACE_MEMBER_ROLES = frozenset({MEMBER_ROLE_MEMBER, *MAKERSPACE_STAFF_ROLES})


def roles_from_claims(claims: dict, client_id: str) -> list[str]:
    """Realm roles plus this client's roles, de-duplicated, sorted."""
    roles: set[str] = set()
    realm = claims.get("realm_access")
    if isinstance(realm, dict) and isinstance(realm.get("roles"), list):
        roles.update(r for r in realm["roles"] if isinstance(r, str))
    resource = claims.get("resource_access")
    if isinstance(resource, dict):
        client = resource.get(client_id)
        if isinstance(client, dict) and isinstance(client.get("roles"), list):
            roles.update(r for r in client["roles"] if isinstance(r, str))
    return sorted(roles)


def user_roles(user) -> frozenset[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    roles = set(getattr(user, "roles", None) or [])
    if getattr(user, "is_superuser", False):
        roles.add(SUPER_ADMIN)
    return frozenset(roles)


def has_any_role(user, roles: Iterable[str]) -> bool:
    return bool(user_roles(user) & set(roles))


def is_super_admin(user) -> bool:
    return has_any_role(user, {SUPER_ADMIN})


def is_platform_admin(user) -> bool:
    """super_admin or admin: every makerspace and the store."""
    return has_any_role(user, {SUPER_ADMIN, ADMIN})


def is_store_staff(user) -> bool:
    return has_any_role(user, {SUPER_ADMIN, ADMIN, STORE_ADMIN})


def is_makerspace_admin(user) -> bool:
    """Holds the makerspace_admin platform role (scoping to their spaces is the app's job)."""
    return has_any_role(user, {MAKERSPACE_ADMIN})


def is_service_provider(user) -> bool:
    return has_any_role(user, {SERVICE_PROVIDER})


def staff_flags_for_roles(roles: Iterable[str]) -> tuple[bool, bool]:
    """(is_staff, is_superuser) that a user with these roles gets: only roles give staff."""
    roles = set(roles)
    is_superuser = SUPER_ADMIN in roles
    is_staff = is_superuser or bool(roles & STAFF_ROLES)
    return is_staff, is_superuser
