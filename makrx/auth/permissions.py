"""Django permissions from platform roles: store staff work the store's admin screens without per-user grants.

Roles come from Keycloak (DESIGN §4), not from Django's permission tables, so a `store_admin` who signs in has
no `store.*` permission rows and Django's admin would refuse every store screen. This backend answers
``has_perm`` from the roles instead: store staff (`store_admin`, `admin`, `super_admin`) hold every permission
of the `store` app and may view the platform's payment records; platform administrators (`admin`,
`super_admin`) also work the bridge's screens (its deliveries serve every makerspace and the store, so no
makerspace's staff see them; the bridge's services check the same role). Makerspace screens scope themselves per space
(`makerspace/admin/scoping.py`) and are not affected. Screens that are read-only stay read-only: their admin
answers before asking for a permission.
"""

from __future__ import annotations

from makrx.auth.roles import is_platform_admin, is_store_staff

STORE_APP = "store"
# Platform models a store staff member may look at (the order's money), not change.
STORE_STAFF_VIEWS = frozenset({"makrx.view_payment", "makrx.view_refund", "makrx.view_webhookevent"})
# Apps whose every screen is the platform administrators'.
PLATFORM_ADMIN_APPS = frozenset({"bridge"})


class RolePermissionBackend:
    """Authorisation only: never authenticates anyone (``authenticate`` returns None)."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if not getattr(user_obj, "is_active", False) or not getattr(user_obj, "is_staff", False):
            return False
        app_label = perm.partition(".")[0]
        if app_label in PLATFORM_ADMIN_APPS and is_platform_admin(user_obj):
            return True
        if not is_store_staff(user_obj):
            return False
        return app_label == STORE_APP or perm in STORE_STAFF_VIEWS

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        if not getattr(user_obj, "is_active", False) or not getattr(user_obj, "is_staff", False):
            return False
        if app_label in PLATFORM_ADMIN_APPS:
            return is_platform_admin(user_obj)
        return is_store_staff(user_obj) and app_label in {STORE_APP, "makrx"}
