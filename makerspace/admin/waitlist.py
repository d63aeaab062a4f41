"""Admin for waiting lists: the line per machine; entries change only through the waiting-list services."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import WaitlistEntry
from makerspace.services import waitlist as waitlist_services
from makrx.admin.readonly import ReadOnlyAdminMixin


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnlyAdminMixin, MakerspaceScopedAdmin):
    makerspace_path = "equipment__makerspace"
    list_display = ("equipment", "starts_at", "ends_at", "user", "status", "offer_expires_at", "created_at")
    list_filter = ("status", "equipment__makerspace", "equipment")
    search_fields = ("equipment__name", "user__username", "user__email")
    list_select_related = ("equipment", "user")
    date_hierarchy = "starts_at"
    ordering = ("equipment", "starts_at", "created_at", "id")
    actions = ["remove_from_line", "expire_lapsed_offers"]

    @admin.action(description="Take selected entries out of the line")
    def remove_from_line(self, request, queryset):
        self.run_service(
            request, queryset, lambda e: waitlist_services.waitlist_leave(entry=e, actor=request.user), "removed"
        )

    @admin.action(description="Pass lapsed offers of these machines to the next in line")
    def expire_lapsed_offers(self, request, queryset):
        machines = {entry.equipment_id for entry in queryset}
        expired = sum(waitlist_services.waitlist_offers_expire(equipment_id=pk) for pk in machines)
        self.message_user(request, f"{expired} lapsed offers passed on.")
