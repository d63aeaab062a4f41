"""Admin for maintenance tickets and windows; state changes go through the maintenance services.

A blocking ticket's or a window's page lists the bookings the maintenance affects and offers to cancel them
and notify their members (``maintenance_bookings_cancel``); a machine's page opens a ticket (``ticket_report``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from makerspace.admin.scoping import MakerspaceScopedAdmin, add_domain_error
from makerspace.models import MaintenanceTicket, MaintenanceWindow, Reservation
from makerspace.selectors.maintenance import maintenance_affected_reservations
from makerspace.services import maintenance as maintenance_services
from makrx.admin.actions import ObjectButton
from makrx.admin.display import format_local
from makrx.errors import DomainError


def _cancellable(reservations) -> bool:
    return reservations.filter(status__in=(Reservation.Status.PENDING, Reservation.Status.CONFIRMED)).exists()


def affected_bookings_html(reservations):
    """The affected bookings as a list of links (times in the space's zone, the page's active zone)."""
    rows = [
        (
            reverse("admin:makerspace_reservation_change", args=(r.pk,)),
            format_local(r.starts_at, r.equipment.makerspace.tzinfo),
            format_local(r.ends_at, r.equipment.makerspace.tzinfo),
            r.user,
            r.get_status_display(),
        )
        for r in reservations
    ]
    if not rows:
        return "None"
    items = format_html_join("", '<li><a href="{}">{} – {}</a>, {} ({})</li>', rows)
    return format_html('<ul class="impact-list">{}</ul>', items)


@admin.register(MaintenanceTicket)
class MaintenanceTicketAdmin(MakerspaceScopedAdmin):
    makerspace_path = "equipment__makerspace"
    list_display = ("status", "id", "title", "equipment", "priority", "blocking", "assignee", "created_at")
    list_filter = ("status", "priority", "blocking", "equipment__makerspace")
    search_fields = ("title", "description", "equipment__name", "reported_by__username")
    autocomplete_fields = ("equipment", "reported_by", "assignee")
    list_select_related = ("equipment", "assignee", "reported_by")
    date_hierarchy = "created_at"
    readonly_fields = (
        "affected_bookings",
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
    actions = ["resolve_tickets", "close_tickets", "cancel_affected_bookings"]
    object_buttons = (
        ObjectButton(
            "Cancel affected bookings and notify",
            action="cancel_affected_bookings",
            shown=lambda t: _cancellable(maintenance_affected_reservations(ticket=t)),
        ),
        ObjectButton("Resolve", action="resolve_tickets", shown=lambda t: t.status in MaintenanceTicket.OPEN_STATUSES),
        ObjectButton("Close", action="close_tickets", shown=lambda t: t.status != MaintenanceTicket.Status.CLOSED),
    )

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

    @admin.display(description="bookings affected")
    def affected_bookings(self, obj):
        return affected_bookings_html(maintenance_affected_reservations(ticket=obj))

    @admin.action(description="Cancel the bookings the selected blocking tickets affect, and notify the members")
    def cancel_affected_bookings(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda t: maintenance_services.maintenance_bookings_cancel(actor=request.user, ticket=t),
            "affected bookings cancelled and members notified",
        )

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
    readonly_fields = ("affected_bookings", "cancelled_at", "created_at", "updated_at")
    actions = ["cancel_windows", "cancel_affected_bookings"]
    object_buttons = (
        ObjectButton(
            "Cancel affected bookings and notify",
            action="cancel_affected_bookings",
            shown=lambda w: _cancellable(maintenance_affected_reservations(window=w)),
        ),
        ObjectButton("Cancel window", action="cancel_windows", shown=lambda w: w.cancelled_at is None),
    )

    @admin.display(description="bookings affected")
    def affected_bookings(self, obj):
        return affected_bookings_html(maintenance_affected_reservations(window=obj))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:  # the heading in the space's local time
            zone = self.object_timezone(request, obj)
            context["subtitle"] = (
                f"{obj.equipment} maintenance {format_local(obj.starts_at, zone)} – {format_local(obj.ends_at, zone)}"
            )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    @admin.action(description="Cancel the bookings the selected windows overlap, and notify the members")
    def cancel_affected_bookings(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda w: maintenance_services.maintenance_bookings_cancel(actor=request.user, window=w),
            "affected bookings cancelled and members notified",
        )

    def has_add_permission(self, request):
        return False  # scheduled through the API (overlapping reservations are refused or cancelled there)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Cancel selected maintenance windows")
    def cancel_windows(self, request, queryset):
        self.run_service(
            request, queryset, lambda w: maintenance_services.window_cancel(window=w, actor=request.user), "cancelled"
        )


class ReportTicketForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    priority = forms.ChoiceField(choices=MaintenanceTicket.Priority.choices, initial="medium")
    blocking = forms.BooleanField(required=False, help_text="Takes the machine out of service until resolved.")


def report_ticket_view(model_admin, request, object_id):
    """Open a maintenance ticket for the machine ``object_id`` through ``ticket_report``."""
    machine = model_admin.get_object(request, object_id)
    if machine is None or not model_admin.has_view_permission(request, machine):
        raise Http404
    form = ReportTicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = maintenance_services.ticket_report(actor=request.user, equipment=machine, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            model_admin.log_change(request, machine, f"Maintenance ticket #{ticket.pk} opened: {ticket.title}.")
            model_admin.message_user(request, f"Ticket #{ticket.pk} opened for {machine}.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:makerspace_maintenanceticket_change", args=(ticket.pk,)))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": machine,
        "title": f"Open a maintenance ticket for {machine}",
        "form": form,
        "submit": "Open ticket",
    }
    return TemplateResponse(request, "admin/makrx/object_form.html", context)
