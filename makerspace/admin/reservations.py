"""Admin for reservations: a machine's calendar; staff actions go through the reservation services."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import Reservation, ReservationEvent, ReservationSeries
from makerspace.services import approval as approval_services
from makerspace.services import reservations as reservation_services
from makrx.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500)


class ReservationEventInline(ReadOnlyInline):
    """The reservation's history: every state change with who made it and why."""

    model = ReservationEvent
    fields = ("created_at", "kind", "from_status", "to_status", "actor", "reason")
    ordering = ("created_at", "id")


@admin.register(Reservation)
class ReservationAdmin(MakerspaceScopedAdmin):
    """A machine's calendar: filter by equipment, browse by date, ordered by start."""

    makerspace_path = "equipment__makerspace"
    list_display = (
        "starts_at",
        "ends_at",
        "equipment",
        "user",
        "member",
        "status",
        "price",
        "currency",
        "access_flagged",
        "created_by",
    )
    list_filter = ("status", "emergency", "access_flagged", "equipment__makerspace", "equipment")
    search_fields = ("equipment__name", "user__username", "user__email", "notes")
    autocomplete_fields = ("equipment", "user", "member")
    list_select_related = ("equipment", "user", "member__user", "created_by")
    date_hierarchy = "starts_at"
    ordering = ("starts_at", "id")
    inlines = [ReservationEventInline]
    readonly_fields = (
        "status",
        "price",
        "deposit",
        "currency",
        "price_lines",
        "included_minutes",
        "subscription",
        "promo_code",
        "supervisor",
        "emergency",
        "access_flagged",
        "access_warning",
        "decided_by",
        "decided_at",
        "decision_reason",
        "reminder_sent_at",
        "created_by",
        "cancelled_by",
        "cancelled_at",
        "cancel_reason",
        "checked_in_at",
        "completed_at",
        "created_at",
        "updated_at",
    )
    actions = ["approve", "reject", "cancel_reservations", "check_in", "mark_no_show"]

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

    @admin.action(description="Approve selected pending reservations")
    def approve(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda r: approval_services.reservation_approve(reservation=r, actor=request.user),
            "approved",
        )

    @admin.action(description="Reject selected pending reservations…")
    def reject(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self.action_input_page(request, queryset, form, action="reject", title="Reject reservations")
        reason = form.cleaned_data["reason"]
        self.run_service(
            request,
            queryset,
            lambda r: approval_services.reservation_reject(reservation=r, actor=request.user, reason=reason),
            "rejected",
        )
        return None

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


class SeriesReservationInline(ReadOnlyInline):
    model = Reservation
    fk_name = "series"
    fields = ("starts_at", "ends_at", "status", "price")
    ordering = ("starts_at",)


@admin.register(ReservationSeries)
class ReservationSeriesAdmin(ReadOnlyAdminMixin, MakerspaceScopedAdmin):
    """Recurring bookings and their occurrences (each occurrence is cancelled from the reservations screen)."""

    makerspace_path = "equipment__makerspace"
    list_display = ("equipment", "user", "every", "count", "created_by", "created_at")
    list_filter = ("every", "equipment__makerspace")
    search_fields = ("equipment__name", "user__username", "user__email")
    list_select_related = ("equipment", "user", "created_by")
    inlines = [SeriesReservationInline]
