"""Makerspace scoping: who is member/staff/manager/admin of which makerspace, and the checks services run.

Memberships come from ``settings.MAKRX_MEMBERSHIPS_PROVIDER`` (see selectors), so any app scopes by
makerspace without importing the makerspace app. Only *active* memberships count. Platform
``admin``/``super_admin`` act on every makerspace.

Services call the ``*_require`` functions with their ``actor``; each refusal is a
``makrx.errors.PermissionDenied`` (403) with one of the codes below. The ``SYSTEM`` actor is the
platform itself (Celery tasks, seed): it passes no check here, so a service that accepts it says so
and tests ``actor is SYSTEM`` explicitly.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from makrx.auth import roles
from makrx.auth.selectors import user_memberships_list
from makrx.errors import PermissionDenied

ACTIVE_STATUS = "active"

# The refusal codes of makerspace rules (one set for every app and for the admin).
NOT_MEMBER = "not_makerspace_member"
NOT_STAFF = "not_makerspace_staff"
NOT_MANAGER = "not_makerspace_manager"
NOT_ADMIN = "not_makerspace_admin"
NOT_PLATFORM_ADMIN = "not_platform_admin"
OWN_MEMBERSHIP = "own_membership"


class SystemActor:
    """The platform acting on its own (scheduled tasks, seed data): never a signed-in user."""

    is_authenticated = False
    is_active = False
    pk = None

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


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


def member_makerspace_ids(user) -> set[int]:
    """Ids of makerspaces where the user holds an active membership of any role.

    Memberships only: a platform admin's "every makerspace" is not expanded here, so callers
    check ``roles.is_platform_admin`` first (as the selectors and admin screens do).
    """
    return _ids_with_roles(user, roles.MAKERSPACE_MEMBER_ROLES)


def staffed_makerspace_ids(user) -> set[int]:
    """Ids of makerspaces where the user holds an active staff/manager/admin membership (memberships only)."""
    return _ids_with_roles(user, roles.MAKERSPACE_STAFF_ROLES)


def managed_makerspace_ids(user) -> set[int]:
    """Ids of makerspaces where the user holds an active manager/admin membership (memberships only)."""
    return _ids_with_roles(user, roles.MAKERSPACE_MANAGING_ROLES)


def _makerspace_id(makerspace):
    """An id from an id or an object with ``pk`` (services pass either)."""
    return getattr(makerspace, "pk", makerspace)


def _has_makerspace_role(user, makerspace, allowed: frozenset[str]) -> bool:
    makerspace_id = _makerspace_id(makerspace)
    if user is None or not getattr(user, "is_authenticated", False) or makerspace_id is None:
        return False
    if roles.is_platform_admin(user):
        return True
    return makerspace_roles_for_user(user).get(str(makerspace_id)) in allowed


def can_use_makerspace(user, makerspace_id) -> bool:
    """Platform admin, or an active member (any role) of this makerspace."""
    return _has_makerspace_role(user, makerspace_id, roles.MAKERSPACE_MEMBER_ROLES)


def can_staff_makerspace(user, makerspace_id) -> bool:
    """Platform admin, or staff/manager/admin of this makerspace."""
    return _has_makerspace_role(user, makerspace_id, roles.MAKERSPACE_STAFF_ROLES)


def can_manage_makerspace(user, makerspace_id) -> bool:
    """Platform admin, or manager/admin of this makerspace."""
    return _has_makerspace_role(user, makerspace_id, roles.MAKERSPACE_MANAGING_ROLES)


def can_admin_makerspace(user, makerspace_id) -> bool:
    """Platform admin, or holder of the ``admin`` membership role of this makerspace."""
    return _has_makerspace_role(user, makerspace_id, frozenset({roles.MEMBER_ROLE_ADMIN}))


def makerspace_member_require(*, user, makerspace_id) -> None:
    if not can_use_makerspace(user, makerspace_id):
        raise PermissionDenied("Only members and staff of this makerspace may do that.", code=NOT_MEMBER)


def makerspace_staff_require(*, user, makerspace_id) -> None:
    if not can_staff_makerspace(user, makerspace_id):
        raise PermissionDenied("You are not staff of this makerspace.", code=NOT_STAFF)


def makerspace_manager_require(*, user, makerspace_id) -> None:
    if not can_manage_makerspace(user, makerspace_id):
        raise PermissionDenied("You do not manage this makerspace.", code=NOT_MANAGER)


def makerspace_admin_require(*, user, makerspace_id) -> None:
    if not can_admin_makerspace(user, makerspace_id):
        raise PermissionDenied("Only an admin of this makerspace may do that.", code=NOT_ADMIN)


def platform_admin_require(*, user) -> None:
    if not roles.is_platform_admin(user):
        raise PermissionDenied("Only platform administrators may do that.", code=NOT_PLATFORM_ADMIN)


def membership_action_require(*, user, makerspace_id, member_user_id, member_role: str, staff: bool = False) -> None:
    """The rule for acting on someone's membership (status, role, plan, skills).

    Managers act (staff too, with ``staff``: approvals and skills), never on their own membership,
    and only an admin of the makerspace acts on an ``admin`` membership. Platform admins act on all.
    """
    if staff:
        makerspace_staff_require(user=user, makerspace_id=makerspace_id)
    else:
        makerspace_manager_require(user=user, makerspace_id=makerspace_id)
    if roles.is_platform_admin(user):
        return
    if member_user_id == getattr(user, "pk", None):
        raise PermissionDenied("You cannot act on your own membership; ask another manager.", code=OWN_MEMBERSHIP)
    if member_role == roles.MEMBER_ROLE_ADMIN:
        makerspace_admin_require(user=user, makerspace_id=makerspace_id)


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
    code = NOT_STAFF
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
    code = NOT_MANAGER
    check = staticmethod(can_manage_makerspace)


class IsMakerspaceMember(IsMakerspaceStaff):
    message = "Only members and staff of this makerspace see this."
    code = NOT_MEMBER
    check = staticmethod(can_use_makerspace)


class IsMakerspaceMemberToRead(IsMakerspaceMember):
    """Object reads (GET, HEAD, OPTIONS) need a membership of the object's makerspace; writes are the services'."""

    def has_object_permission(self, request, view, obj):
        return request.method not in SAFE_METHODS or super().has_object_permission(request, view, obj)
