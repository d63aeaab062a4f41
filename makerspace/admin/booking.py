"""Admin for reservations, maintenance, usage sessions and calendar tokens; actions go through the services."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import CalendarToken, MaintenanceTicket, MaintenanceWindow, Reservation, UsageSession
from makerspace.services import maintenance as maintenance_services
from makerspace.services import reservations as reservation_services
from makerspace.services import usage as usage_services
from makrx.auth import roles


@admin.register(Reservation)
class ReservationAdmin(MakerspaceScopedAdmin):
    """A machine's calendar: filter by equipment, browse by date, ordered by start."""

    makerspace_path = "equipment__makerspace"
    list_display = ("starts_at", "ends_at", "equipment", "user", "member", "status", "created_by")
    list_filter = ("status", "equipment__makerspace", "equipment")
    search_fields = ("equipment__name", "user__username", "user__email", "notes")
    autocomplete_fields = ("equipment", "user", "member")
    list_select_related = ("equipment", "user", "member__user", "created_by")
    date_hierarchy = "starts_at"
    ordering = ("starts_at", "id")
    readonly_fields = (
        "status",
        "created_by",
        "cancelled_by",
        "cancelled_at",
        "cancel_reason",
        "checked_in_at",
        "completed_at",
        "created_at",
        "updated_at",
    )
    actions = ["cancel_reservations", "check_in", "mark_no_show"]

    def has_add_permission(self, request):
        return False  # bookings go through the API, which checks every rule

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return (
            (*self.readonly_fields, "equipment", "user", "member", "starts_at", "ends_at")
            if obj
            else self.readonly_fields
        )

    @admin.action(description="Cancel selected reservations (staff)")
    def cancel_reservations(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda r: reservation_services.reservation_cancel(
                reservation=r, user=request.user, reason="Cancelled by staff in the admin"
            ),
            "cancelled",
        )

    @admin.action(description="Check in selected reservations")
    def check_in(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda r: reservation_services.reservation_check_in(reservation=r, user=request.user),
            "checked in",
        )

    @admin.action(description="Mark selected reservations as no-show")
    def mark_no_show(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda r: reservation_services.reservation_no_show(reservation=r, user=request.user),
            "marked no-show",
        )


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
    readonly_fields = ("status", "blocking", "resolved_at", "created_at", "updated_at")
    actions = ["resolve_tickets", "close_tickets"]

    def has_add_permission(self, request):
        return False  # opened through the API so that blocking tickets set the machine's status

    @admin.action(description="Resolve selected tickets (returns machines to service)")
    def resolve_tickets(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda t: maintenance_services.ticket_resolve(
                ticket=t, user=request.user, resolution="Resolved in the admin"
            ),
            "resolved",
        )

    @admin.action(description="Close selected tickets")
    def close_tickets(self, request, queryset):
        self.run_service(
            request, queryset, lambda t: maintenance_services.ticket_close(ticket=t, user=request.user), "closed"
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
            request, queryset, lambda w: maintenance_services.window_cancel(window=w, user=request.user), "cancelled"
        )


@admin.register(UsageSession)
class UsageSessionAdmin(MakerspaceScopedAdmin):
    makerspace_path = "equipment__makerspace"
    list_display = (
        "equipment",
        "user",
        "started_at",
        "ended_at",
        "duration_minutes",
        "amount",
        "currency",
        "reservation",
    )
    list_filter = ("equipment__makerspace", "equipment", ("ended_at", admin.EmptyFieldListFilter))
    search_fields = ("equipment__name", "user__username", "notes")
    autocomplete_fields = ("equipment", "user", "member", "reservation")
    list_select_related = ("equipment", "user", "reservation")
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in UsageSession._meta.fields if f.name not in ("notes",)]
    actions = ["stop_sessions"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Stop selected sessions now")
    def stop_sessions(self, request, queryset):
        self.run_service(
            request, queryset, lambda u: usage_services.usage_session_stop(session=u, user=request.user), "stopped"
        )


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
