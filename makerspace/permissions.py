"""Tenant scoping: which makerspaces a user may see and manage (DESIGN.md §4), plus DRF permissions on top.

- platform ``admin``/``super_admin``: every makerspace;
- everyone else: the makerspaces where they hold an *active* membership with a managing role
  (``manager``/``admin``), or any staff role (``staff``/``manager``/``admin``) for day-to-day staff work.
The ``makerspace_admin`` platform role only opens the Django admin; the memberships decide which spaces.
"""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework.permissions import SAFE_METHODS, BasePermission

from makerspace.models import Makerspace, Member
from makrx import errors
from makrx.auth import roles, scoping


def _ids_with_roles(user, member_roles: Iterable[str]) -> set[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    if roles.is_platform_admin(user):
        return set(Makerspace.objects.values_list("id", flat=True))
    return set(
        Member.objects.filter(user=user, status=Member.Status.ACTIVE, role__in=list(member_roles)).values_list(
            "makerspace_id", flat=True
        )
    )


def managed_makerspace_ids(user) -> set[int]:
    """Ids of makerspaces the user manages (manager/admin membership; platform admins: all)."""
    return _ids_with_roles(user, roles.MAKERSPACE_MANAGING_ROLES)


def staffed_makerspace_ids(user) -> set[int]:
    """Ids of makerspaces where the user is staff, manager or admin (platform admins: all)."""
    return _ids_with_roles(user, roles.MAKERSPACE_STAFF_ROLES)


def _makerspace_id(makerspace) -> int | None:
    return makerspace if isinstance(makerspace, int) else getattr(makerspace, "pk", None)


def can_manage_makerspace(user, makerspace: Makerspace | int) -> bool:
    """Manager or admin of that makerspace (or a platform admin); one rule for every app."""
    return scoping.can_manage_makerspace(user, _makerspace_id(makerspace))


def is_makerspace_staff(user, makerspace: Makerspace | int) -> bool:
    """Staff, manager or admin of that makerspace (or a platform admin)."""
    return scoping.can_staff_makerspace(user, _makerspace_id(makerspace))


def require_makerspace_manager(user, makerspace: Makerspace | int) -> None:
    if not can_manage_makerspace(user, makerspace):
        raise errors.PermissionDenied("You do not manage this makerspace.")


def require_makerspace_staff(user, makerspace: Makerspace | int) -> None:
    if not is_makerspace_staff(user, makerspace):
        raise errors.PermissionDenied("You are not staff of this makerspace.")


def makerspace_of(obj) -> Makerspace | int | None:
    """The makerspace an object belongs to (the object itself, ``.makerspace`` or via ``.equipment``/``.member``)."""
    if isinstance(obj, Makerspace):
        return obj
    for attr in ("makerspace_id", "makerspace"):
        value = getattr(obj, attr, None)
        if value is not None:
            return value
    for parent in ("equipment", "member"):
        if getattr(obj, parent, None) is not None:
            return makerspace_of(getattr(obj, parent))
    return None


class IsMakerspaceManager(BasePermission):
    """Object level: the user manages the object's makerspace."""

    message = "You do not manage this makerspace."

    def has_object_permission(self, request, view, obj):
        return can_manage_makerspace(request.user, makerspace_of(obj))


class IsMakerspaceManagerOrReadOnly(IsMakerspaceManager):
    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or super().has_object_permission(request, view, obj)


class IsMakerspaceStaff(BasePermission):
    """Object level: the user is staff/manager/admin of the object's makerspace."""

    message = "You are not staff of this makerspace."

    def has_object_permission(self, request, view, obj):
        return is_makerspace_staff(request.user, makerspace_of(obj))


class IsMakerspaceManagerAnywhere(BasePermission):
    """View level: manages at least one makerspace (platform admins always)."""

    message = "Makerspace managers only."

    def has_permission(self, request, view):
        return bool(managed_makerspace_ids(request.user))
