"""Admin for makerspaces, opening hours and closures."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin, admin_scope
from makerspace.models import Closure, Makerspace, OpeningHours
from makrx.auth import roles


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0
    ordering = ["weekday", "opens"]


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0
    ordering = ["-starts_on"]


@admin.register(Makerspace)
class MakerspaceAdmin(MakerspaceScopedAdmin):
    makerspace_path = "pk"
    list_display = ("name", "slug", "timezone", "join_policy", "active", "contact_email", "created_at")
    list_filter = ("active", "join_policy", "timezone")
    search_fields = ("name", "slug", "address", "contact_email")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
    inlines = [OpeningHoursInline, ClosureInline]

    def has_add_permission(self, request):
        # New makerspaces are a platform decision.
        return roles.is_platform_admin(request.user) or request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return admin_scope(request) is None and request.user.is_staff


@admin.register(OpeningHours)
class OpeningHoursAdmin(MakerspaceScopedAdmin):
    list_display = ("makerspace", "weekday", "opens", "closes")
    list_filter = ("weekday", "makerspace")
    search_fields = ("makerspace__name",)
    autocomplete_fields = ("makerspace",)
    list_select_related = ("makerspace",)


@admin.register(Closure)
class ClosureAdmin(MakerspaceScopedAdmin):
    list_display = ("makerspace", "starts_on", "ends_on", "reason")
    list_filter = ("makerspace",)
    search_fields = ("makerspace__name", "reason")
    date_hierarchy = "starts_on"
    autocomplete_fields = ("makerspace",)
    list_select_related = ("makerspace",)
