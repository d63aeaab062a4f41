"""Admin for calendar feed tokens (platform admins only; the secret itself is never shown)."""

from __future__ import annotations

from django.contrib import admin

from makerspace.models import CalendarToken
from makrx.auth import roles


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    """Platform admins only (tokens are personal secrets, not makerspace data)."""

    list_display = ("user", "rotated_at", "created_at")
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)
    list_select_related = ("user",)
    readonly_fields = ("rotated_at", "created_at", "updated_at")
    exclude = ("token",)  # the secret itself is never shown

    def _allowed(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and roles.is_platform_admin(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)
