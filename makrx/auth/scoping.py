"""Makerspace scoping: "staff/manager/admin of this makerspace" from the membership records.

Memberships come from ``settings.MAKRX_MEMBERSHIPS_PROVIDER`` (see selectors), so any app
scopes by makerspace in one line, e.g. ``permission_classes = [IsMakerspaceStaff]`` with
objects carrying ``makerspace_id``, or ``makerspace_staff_require(user=..., makerspace_id=...)``
in a service. Platform ``admin``/``super_admin`` act on every makerspace.
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from makrx.auth import roles
from makrx.auth.selectors import user_memberships_list
from makrx.errors import PermissionDenied

ACTIVE_STATUS = "active"


def makerspace_roles_for_user(user) -> dict[str, str]:
    """{makerspace id as str: role} of the user's active memberships.

    Not memoised on the user object: a request (or a test) that changes a membership and
    checks again must see the change; one indexed query per check is cheap.
    """
    return {
        str(item.get("makerspace")): item.get("role")
        for item in user_memberships_list(user=user)
        if item.get("status") == ACTIVE_STATUS and item.get("makerspace") is not None
    }


def _ids_with_roles(user, allowed: frozenset[str]) -> set[int]:
    return {int(pk) for pk, role in makerspace_roles_for_user(user).items() if role in allowed}


def staffed_makerspace_ids(user) -> set[int]:
    """Ids of makerspaces where the user holds an active staff/manager/admin membership.

    Memberships only: a platform admin's "every makerspace" is not expanded here, so callers
    check ``roles.is_platform_admin`` first (as the selectors and admin screens do).
    """
    return _ids_with_roles(user, roles.MAKERSPACE_STAFF_ROLES)


def managed_makerspace_ids(user) -> set[int]:
    """Ids of makerspaces where the user holds an active manager/admin membership (memberships only)."""
    return _ids_with_roles(user, roles.MAKERSPACE_MANAGING_ROLES)


def _has_makerspace_role(user, makerspace_id, allowed: frozenset[str]) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or makerspace_id is None:
        return False
    if roles.is_platform_admin(user):
        return True
    return makerspace_roles_for_user(user).get(str(makerspace_id)) in allowed


def can_staff_makerspace(user, makerspace_id) -> bool:
    """Platform admin, or staff/manager/admin of this makerspace."""
    return _has_makerspace_role(user, makerspace_id, roles.MAKERSPACE_STAFF_ROLES)


def can_manage_makerspace(user, makerspace_id) -> bool:
    """Platform admin, or manager/admin of this makerspace."""
    return _has_makerspace_role(user, makerspace_id, roles.MAKERSPACE_MANAGING_ROLES)


def makerspace_staff_require(*, user, makerspace_id) -> None:
    if not can_staff_makerspace(user, makerspace_id):
        raise PermissionDenied("You are not staff of this makerspace.", code="not_makerspace_staff")


def makerspace_manager_require(*, user, makerspace_id) -> None:
    if not can_manage_makerspace(user, makerspace_id):
        raise PermissionDenied("You do not manage this makerspace.", code="not_makerspace_manager")


def _makerspace_id_of(view, obj):
    getter = getattr(view, "get_object_makerspace_id", None)
    if getter is not None:
        return getter(obj)
    return getattr(obj, "makerspace_id", None)


class IsMakerspaceStaff(BasePermission):
    """Object permission: staff/manager/admin of the object's makerspace (``obj.makerspace_id``).

    For routes carrying the makerspace in the URL (``makerspace_id`` or ``makerspace_pk``),
    the check also runs before the view.
    """

    message = "You are not staff of this makerspace."
    check = staticmethod(can_staff_makerspace)

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        kwargs = getattr(view, "kwargs", {}) or {}
        makerspace_id = kwargs.get("makerspace_id", kwargs.get("makerspace_pk"))
        return makerspace_id is None or self.check(request.user, makerspace_id)

    def has_object_permission(self, request, view, obj):
        return self.check(request.user, _makerspace_id_of(view, obj))


class IsMakerspaceManager(IsMakerspaceStaff):
    message = "You do not manage this makerspace."
    check = staticmethod(can_manage_makerspace)
