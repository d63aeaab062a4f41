"""Admin for preventive maintenance intervals (through the interval services); their tickets show on the ticket screen."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import MaintenanceInterval
from makerspace.services import intervals as interval_services


@admin.register(MaintenanceInterval)
class MaintenanceIntervalAdmin(MakerspaceScopedAdmin):
    makerspace_path = "equipment__makerspace"
    list_display = ("equipment", "title", "every_hours", "every_days", "starts_at", "active")
    list_filter = ("active", "equipment__makerspace", "equipment")
    search_fields = ("title", "equipment__name")
    autocomplete_fields = ("equipment",)
    list_select_related = ("equipment",)
    readonly_fields = ("created_by", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "equipment", "starts_at") if obj else fields

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name in interval_services.EDITABLE}
            interval_services.interval_update(interval=obj, actor=request.user, **fields)
            return
        created = interval_services.interval_create(
            actor=request.user,
            equipment=obj.equipment,
            title=obj.title,
            every_hours=obj.every_hours,
            every_days=obj.every_days,
            starts_at=obj.starts_at,
        )
        obj.pk = created.pk
