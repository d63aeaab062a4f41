"""Admin for reservations: a machine's calendar; staff actions go through the reservation services."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import Reservation
from makerspace.services import reservations as reservation_services


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

    def has_change_permission(self, request, obj=None):
        return False  # a booking changes state through the actions (services), never by editing the row

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
                reservation=r, actor=request.user, reason="Cancelled by staff in the admin"
            ),
            "cancelled",
        )

    @admin.action(description="Check in selected reservations")
    def check_in(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda r: reservation_services.reservation_check_in(reservation=r, actor=request.user),
            "checked in",
        )

    @admin.action(description="Mark selected reservations as no-show")
    def mark_no_show(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda r: reservation_services.reservation_no_show(reservation=r, actor=request.user),
            "marked no-show",
        )
