"""Admin for service jobs: the queue of a makerspace's store work, its timeline, and actions through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from makerspace.admin.scoping import MakerspaceScopedAdmin, admin_scope
from makerspace.models import ServiceJob, ServiceJobEvent, ServiceProvider
from makerspace.services import jobs as job_services
from makrx.admin.readonly import ReadOnlyInline

BADGE_COLOURS = {
    "received": "#1f6feb",
    "accepted": "#8250df",
    "in_progress": "#bf8700",
    "completed": "#1a7f37",
    "shipped": "#116329",
    "rejected": "#cf222e",
    "cancelled": "#6e7781",
}


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500)


class TrackingForm(forms.Form):
    tracking = forms.CharField(max_length=200, required=False, help_text="Courier tracking number (optional).")


class ServiceJobEventInline(ReadOnlyInline):
    """The job's timeline: every status change with who made it and why."""

    model = ServiceJobEvent
    fields = ("at", "from_status", "to_status", "actor", "note", "data")
    ordering = ("at", "id")


class ProviderFilter(admin.SimpleListFilter):
    """Providers working in the makerspaces the user manages (never another space's people)."""

    title = "provider"
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        providers = ServiceProvider.objects.all()
        scope = admin_scope(request)
        if scope is not None:
            providers = providers.filter(makerspaces__in=scope).distinct()
        return [(str(provider.pk), provider.display_name) for provider in providers.order_by("display_name", "id")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(provider_id=int(value))
        return queryset


def age_text(delta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{int(delta.total_seconds() // 60)} min"
    if hours < 48:
        return f"{int(hours)} h"
    return f"{int(hours // 24)} d"


@admin.register(ServiceJob)
class ServiceJobAdmin(MakerspaceScopedAdmin):
    list_display = (
        "status_badge",
        "title",
        "priority",
        "makerspace",
        "provider",
        "machine",
        "age",
        "external_order_id",
    )
    list_display_links = ("title",)
    list_filter = ("status", "priority", "source", "makerspace", ProviderFilter)
    search_fields = ("title", "external_order_id", "material", "customer_name", "customer_email")
    list_select_related = ("makerspace", "provider", "machine")
    autocomplete_fields = ("provider", "machine")
    date_hierarchy = "received_at"
    ordering = ("-received_at", "-id")
    inlines = [ServiceJobEventInline]
    fields = (
        "makerspace",
        "status",
        "status_note",
        "priority",
        "title",
        "description",
        "file_url",
        "material",
        "material_item",
        "quantity",
        "price",
        "currency",
        "customer_name",
        "customer_email",
        "requirements",
        "delivery",
        "provider",
        "machine",
        "tracking",
        "source",
        "external_order_id",
        "received_at",
        "accepted_at",
        "started_at",
        "completed_at",
        "shipped_at",
        "rejected_at",
        "cancelled_at",
    )
    actions = ["accept", "start", "complete", "ship", "reject", "cancel"]

    def get_readonly_fields(self, request, obj=None):
        # Only the assignment is edited here (through ``job_assign``); everything else moves through the actions.
        return [name for name in self.fields if name not in ("provider", "machine")]

    def has_add_permission(self, request):
        return False  # jobs arrive from the store through the bridge

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span style="background:{};color:#fff;padding:2px 8px;border-radius:10px;white-space:nowrap">{}</span>',
            BADGE_COLOURS.get(obj.status, "#6e7781"),
            obj.get_status_display(),
        )

    @admin.display(description="age", ordering="received_at")
    def age(self, obj):
        return age_text(timezone.now() - obj.received_at)

    def save_model(self, request, obj, form, change):
        job_services.job_assign(
            job=obj,
            actor=request.user,
            provider=form.cleaned_data.get("provider"),
            machine=form.cleaned_data.get("machine"),
        )

    @admin.action(description="Accept selected jobs")
    def accept(self, request, queryset):
        self.run_service(request, queryset, lambda j: job_services.job_accept(job=j, actor=request.user), "accepted")

    @admin.action(description="Start selected jobs")
    def start(self, request, queryset):
        self.run_service(request, queryset, lambda j: job_services.job_start(job=j, actor=request.user), "started")

    @admin.action(description="Complete selected jobs (draws the estimated material)")
    def complete(self, request, queryset):
        self.run_service(request, queryset, lambda j: job_services.job_complete(job=j, actor=request.user), "completed")

    @admin.action(description="Ship selected jobs…")
    def ship(self, request, queryset):
        return self.run_service_with_input(
            request,
            queryset,
            self.input_form(request, TrackingForm),
            action="ship",
            title="Ship jobs",
            service=lambda j, data: job_services.job_ship(job=j, actor=request.user, tracking=data["tracking"]),
            done="shipped",
        )

    @admin.action(description="Reject selected jobs…")
    def reject(self, request, queryset):
        return self.run_service_with_input(
            request,
            queryset,
            self.input_form(request, ReasonForm),
            action="reject",
            title="Reject jobs",
            service=lambda j, data: job_services.job_reject(job=j, actor=request.user, reason=data["reason"]),
            done="rejected",
        )

    @admin.action(description="Cancel selected jobs…")
    def cancel(self, request, queryset):
        return self.run_service_with_input(
            request,
            queryset,
            self.input_form(request, ReasonForm),
            action="cancel",
            title="Cancel jobs",
            service=lambda j, data: job_services.job_cancel(job=j, actor=request.user, reason=data["reason"]),
            done="cancelled",
        )
