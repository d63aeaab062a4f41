"""Admin for usage sessions (read-only rows; stopping goes through the usage service)."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import UsageSession
from makerspace.services import usage as usage_services
from makrx.admin.actions import ObjectButton
from makrx.admin.display import money_column


@admin.register(UsageSession)
class UsageSessionAdmin(MakerspaceScopedAdmin):
    makerspace_path = "equipment__makerspace"
    list_display = (
        "equipment",
        "user",
        "started_at",
        "ended_at",
        "duration_minutes",
        money_column("amount"),
        "access_flagged",
    )
    list_filter = (
        "equipment__makerspace",
        "equipment",
        "access_flagged",
        ("ended_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("equipment__name", "user__username", "notes")
    autocomplete_fields = ("equipment", "user", "member", "reservation")
    list_select_related = ("equipment", "user", "reservation")
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in UsageSession._meta.fields]
    actions = ["stop_sessions"]
    object_buttons = (ObjectButton("Stop session", action="stop_sessions", shown=lambda u: u.ended_at is None),)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # sessions are started and stopped through the usage services

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Stop selected sessions now")
    def stop_sessions(self, request, queryset):
        self.run_service(
            request, queryset, lambda u: usage_services.usage_session_stop(session=u, actor=request.user), "stopped"
        )
