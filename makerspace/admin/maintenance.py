"""Admin for maintenance tickets and windows; state changes go through the maintenance services."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import MaintenanceTicket, MaintenanceWindow
from makerspace.services import maintenance as maintenance_services


@admin.register(MaintenanceTicket)
class MaintenanceTicketAdmin(MakerspaceScopedAdmin):
    makerspace_path = "equipment__makerspace"
    list_display = (
        "id",
        "title",
        "equipment",
        "priority",
        "blocking",
        "status",
        "assignee",
        "reported_by",
        "created_at",
    )
    list_filter = ("status", "priority", "blocking", "equipment__makerspace")
    search_fields = ("title", "description", "equipment__name", "reported_by__username")
    autocomplete_fields = ("equipment", "reported_by", "assignee")
    list_select_related = ("equipment", "assignee", "reported_by")
    date_hierarchy = "created_at"
    readonly_fields = (
        "equipment",
        "reported_by",
        "status",
        "blocking",
        "resolved_at",
        "interval",
        "due_at",
        "created_at",
        "updated_at",
    )
    actions = ["resolve_tickets", "close_tickets"]

    def has_add_permission(self, request):
        return False  # opened through the API so that blocking tickets set the machine's status

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in form.changed_data if name in ("title", "description", "priority")
        }
        if fields:
            maintenance_services.ticket_update(ticket=obj, actor=request.user, **fields)
        if "assignee" in form.changed_data:
            maintenance_services.ticket_assign(ticket=obj, actor=request.user, assignee=form.cleaned_data["assignee"])

    @admin.action(description="Resolve selected tickets (returns machines to service)")
    def resolve_tickets(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda t: maintenance_services.ticket_resolve(
                ticket=t, actor=request.user, resolution="Resolved in the admin"
            ),
            "resolved",
        )

    @admin.action(description="Close selected tickets")
    def close_tickets(self, request, queryset):
        self.run_service(
            request, queryset, lambda t: maintenance_services.ticket_close(ticket=t, actor=request.user), "closed"
        )


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(MakerspaceScopedAdmin):
    makerspace_path = "equipment__makerspace"
    list_display = ("equipment", "starts_at", "ends_at", "reason", "cancelled_at", "created_by")
    list_filter = ("equipment__makerspace", "equipment")
    search_fields = ("equipment__name", "reason")
    autocomplete_fields = ("equipment", "created_by")
    list_select_related = ("equipment", "created_by")
    date_hierarchy = "starts_at"
    readonly_fields = ("cancelled_at", "created_at", "updated_at")
    actions = ["cancel_windows"]

    def has_add_permission(self, request):
        return False  # scheduled through the API (overlapping reservations are refused or cancelled there)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Cancel selected maintenance windows")
    def cancel_windows(self, request, queryset):
        self.run_service(
            request, queryset, lambda w: maintenance_services.window_cancel(window=w, actor=request.user), "cancelled"
        )
