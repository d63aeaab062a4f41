"""Reusable DRF permission classes built on makrx.auth.roles."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from makrx.auth import roles


class IsPlatformAdmin(BasePermission):
    message = "Platform administrators only."

    def has_permission(self, request, view):
        return roles.is_platform_admin(request.user)


class IsStoreStaff(BasePermission):
    message = "Store staff only."

    def has_permission(self, request, view):
        return roles.is_store_staff(request.user)


class IsStoreStaffOrReadOnly(BasePermission):
    """Anyone reads; store staff write."""

    message = "Store staff only."

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or roles.is_store_staff(request.user)


class IsStaffOrReadOnly(BasePermission):
    """Anyone reads; Django staff (any staff role) write."""

    message = "Staff only."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        return bool(user and user.is_authenticated and (user.is_staff or roles.user_roles(user) & roles.STAFF_ROLES))


class IsDjangoStaff(BasePermission):
    message = "Staff only."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)
