"""Tenant scoping for admin screens: platform admins see everything; others only the makerspaces they manage."""

from __future__ import annotations

from django.contrib import admin

from makerspace.models import Equipment, Makerspace, Member, MembershipPlan, Skill
from makerspace.permissions import managed_makerspace_ids
from makrx.admin.actions import ServiceActionsMixin
from makrx.auth import roles

# How to reach the makerspace id from a related model, for limiting foreign-key choices.
RELATED_SCOPE = {
    Makerspace: "pk",
    Member: "makerspace_id",
    MembershipPlan: "makerspace_id",
    Skill: "makerspace_id",
    Equipment: "makerspace_id",
}


def admin_scope(request) -> set[int] | None:
    """None = every makerspace; else the ids the user manages (cached on the request)."""
    if roles.is_platform_admin(request.user):
        return None
    if not hasattr(request, "_makerspace_admin_scope"):
        request._makerspace_admin_scope = managed_makerspace_ids(request.user)
    return request._makerspace_admin_scope


class MakerspaceScopedAdmin(ServiceActionsMixin, admin.ModelAdmin):
    """Filters rows by ``makerspace_path`` and grants the screens to managers of at least one makerspace."""

    makerspace_path = "makerspace"
    list_per_page = 50

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = admin_scope(request)
        if scope is None:
            return queryset
        return queryset.filter(**{f"{self.makerspace_path}__in": scope})

    def _allowed(self, request, obj=None) -> bool:
        scope = admin_scope(request)
        if scope is None:
            return request.user.is_active and request.user.is_staff
        if not (request.user.is_active and request.user.is_staff and scope):
            return False
        if obj is None:
            return True
        value = obj
        for part in self.makerspace_path.split("__"):
            value = getattr(value, part, None)
        return getattr(value, "pk", value) in scope

    def has_module_permission(self, request):
        return self._allowed(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj) or super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return self._allowed(request) or super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj) or super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = admin_scope(request)
        related = db_field.related_model
        if scope is not None and related in RELATED_SCOPE:
            kwargs["queryset"] = related._default_manager.filter(**{f"{RELATED_SCOPE[related]}__in": scope})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        scope = admin_scope(request)
        related = db_field.related_model
        if scope is not None and related in RELATED_SCOPE:
            kwargs["queryset"] = related._default_manager.filter(**{f"{RELATED_SCOPE[related]}__in": scope})
        return super().formfield_for_manytomany(db_field, request, **kwargs)
