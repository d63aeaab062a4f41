"""Admin for each makerspace's settings: edits go through the space settings service (managers of the space)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.http import HttpResponse

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import SpaceSettings
from makerspace.services import space_settings as settings_services
from makrx.errors import DomainError


class SpaceSettingsForm(forms.ModelForm):
    class Meta:
        model = SpaceSettings
        fields = list(settings_services.FIELDS)

    def clean(self):
        cleaned = super().clean()
        values = {name: cleaned[name] for name in settings_services.FIELDS if name in cleaned}
        try:
            settings_services.clean_settings(values)
        except DomainError as exc:
            for name, messages in (getattr(exc, "errors", None) or {}).items():
                self.add_error(name if name in self.fields else None, messages)
        low, high = cleaned.get("min_booking_minutes"), cleaned.get("max_booking_minutes")
        if low and high and high < low:
            self.add_error("max_booking_minutes", "Below the shortest booking.")
        return cleaned


@admin.register(SpaceSettings)
class SpaceSettingsAdmin(MakerspaceScopedAdmin):
    form = SpaceSettingsForm
    list_display = (
        "makerspace",
        "min_booking_minutes",
        "max_booking_minutes",
        "lead_time_minutes",
        "cancel_cutoff_minutes",
        "tax_rate_percent",
        "currency",
        "accepts_service_jobs",
        "waitlist_enabled",
        "ratings_enabled",
        "badges_enabled",
        "projects_enabled",
        "inventory_enabled",
    )
    list_filter = (
        "accepts_service_jobs",
        "waitlist_enabled",
        "ratings_enabled",
        "badges_enabled",
        "projects_enabled",
        "inventory_enabled",
    )
    search_fields = ("makerspace__name", "makerspace__slug")
    autocomplete_fields = ("makerspace",)
    list_select_related = ("makerspace",)
    readonly_fields = ("makerspace", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("makerspace",)}),
        (
            "Booking rules",
            {
                "fields": (
                    "min_booking_minutes",
                    "max_booking_minutes",
                    "lead_time_minutes",
                    "booking_horizon_days",
                    "cancel_cutoff_minutes",
                    "default_approval",
                )
            },
        ),
        ("Tax and currency", {"fields": ("tax_rate_percent", "currency")}),
        ("Store service jobs", {"fields": ("accepts_service_jobs", "service_capabilities")}),
        (
            "Features",
            {
                "fields": (
                    "waitlist_enabled",
                    "ratings_enabled",
                    "badges_enabled",
                    "projects_enabled",
                    "inventory_enabled",
                )
            },
        ),
        (None, {"fields": ("created_at", "updated_at")}),
    )
    actions = ["export_json"]

    def has_add_permission(self, request):
        return False  # every makerspace has its row (created with the space, or by the data migration)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in form.changed_data if name in settings_services.FIELDS}
        settings_services.space_settings_update(actor=request.user, makerspace=obj.makerspace, values=values)

    @admin.action(description="Export the selected spaces' settings as JSON")
    def export_json(self, request, queryset):
        documents = {
            row.makerspace.slug: settings_services.space_settings_export(actor=request.user, makerspace=row.makerspace)
            for row in queryset.select_related("makerspace")
        }
        response = HttpResponse(json.dumps(documents, indent=2), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="space-settings.json"'
        return response
