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


class IsPlatformAdminOrReadOnly(BasePermission):
    """Anyone reads; platform administrators (admin, super_admin) write."""

    message = "Platform administrators only."

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or roles.is_platform_admin(request.user)


class IsDjangoStaff(BasePermission):
    message = "Staff only."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)
