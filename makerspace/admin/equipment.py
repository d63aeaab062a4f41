"""Admin for equipment: create, edit and status changes through the equipment services, with history inline."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.urls import path, reverse

from makerspace.admin.maintenance import report_ticket_view
from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import Equipment, EquipmentStatusChange
from makerspace.services import equipment as equipment_services
from makrx.admin.actions import ObjectButton
from makrx.admin.display import money_column
from makrx.admin.json_fields import KeyValueField
from makrx.admin.readonly import ReadOnlyInline
from makrx.errors import DomainError


class EquipmentAdminForm(forms.ModelForm):
    specs = KeyValueField(help_text="One spec a row: a number, text, true/false or a list such as [600, 400].")

    class Meta:
        model = Equipment
        fields = [
            "makerspace",
            "name",
            "slug",
            "equipment_type",
            "description",
            "hourly_rate",
            "currency",
            "location",
            "specs",
            "photo",
            "required_skills",
            "active",
        ]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):  # a new upload, not the stored file
            try:
                equipment_services.photo_check(photo)
            except DomainError as exc:
                raise forms.ValidationError(exc.detail)
        return photo


class EquipmentStatusChangeInline(ReadOnlyInline):
    model = EquipmentStatusChange
    fields = ("created_at", "from_status", "to_status", "reason", "actor", "ticket", "window")
    ordering = ["-created_at"]


@admin.register(Equipment)
class EquipmentAdmin(MakerspaceScopedAdmin):
    form = EquipmentAdminForm
    list_display = ("status", "name", "makerspace", "equipment_type", money_column("hourly_rate"), "location", "active")
    list_filter = ("status", "equipment_type", "skill_gate", "staffed_hours_only", "active", "makerspace")
    search_fields = ("name", "slug", "location", "makerspace__name")
    autocomplete_fields = ("makerspace", "required_skills", "minimum_plan")
    list_select_related = ("makerspace",)
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("status", "created_at", "updated_at")
    inlines = [EquipmentStatusChangeInline]
    actions = ["mark_available", "mark_offline", "mark_maintenance"]
    object_buttons = (
        ObjectButton(
            "Book for a member",
            url=lambda admin_, e: reverse("admin:makerspace_reservation_book") + f"?equipment={e.pk}",
            shown=lambda e: e.active and e.status == Equipment.Status.AVAILABLE,
        ),
        ObjectButton(
            "Open maintenance ticket",
            url=lambda admin_, e: reverse("admin:makerspace_equipment_report_ticket", args=(e.pk,)),
        ),
        ObjectButton("Mark available", action="mark_available", shown=lambda e: e.status != Equipment.Status.AVAILABLE),
    )

    def get_urls(self):
        report = path(
            "<path:object_id>/report-ticket/",
            self.admin_site.admin_view(lambda request, object_id: report_ticket_view(self, request, object_id)),
            name="makerspace_equipment_report_ticket",
        )
        return [report, *super().get_urls()]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "makerspace") if obj else fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {name: data[name] for name in form.changed_data if name in equipment_services.EQUIPMENT_FIELDS}
        if "minimum_plan" in form.changed_data:
            fields["minimum_plan_id"] = getattr(data["minimum_plan"], "pk", None)
        photo = (
            data.get("photo") if "photo" in form.changed_data and hasattr(data.get("photo"), "content_type") else None
        )
        skills = list(data["required_skills"]) if "required_skills" in form.changed_data else None
        if change:
            equipment_services.equipment_update(
                equipment=obj, actor=request.user, required_skills=skills, photo=photo, **fields
            )
            return
        fields.pop("name", None)
        created = equipment_services.equipment_create(
            makerspace=data["makerspace"],
            name=data["name"],
            actor=request.user,
            required_skills=skills,
            photo=photo,
            **fields,
        )
        obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        # required_skills were set by the service; the inlines are read-only history.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def _set_status(self, request, queryset, status: str):
        self.run_service(
            request,
            queryset,
            lambda e: equipment_services.equipment_status_change(
                equipment=e, to_status=status, actor=request.user, reason="set in the admin"
            ),
            f"set to {status}",
        )

    @admin.action(description="Mark selected machines available")
    def mark_available(self, request, queryset):
        self._set_status(request, queryset, Equipment.Status.AVAILABLE)

    @admin.action(description="Mark selected machines offline")
    def mark_offline(self, request, queryset):
        self._set_status(request, queryset, Equipment.Status.OFFLINE)

    @admin.action(description="Mark selected machines in maintenance")
    def mark_maintenance(self, request, queryset):
        self._set_status(request, queryset, Equipment.Status.MAINTENANCE)


@admin.register(EquipmentStatusChange)
class EquipmentStatusChangeAdmin(MakerspaceScopedAdmin):
    makerspace_path = "equipment__makerspace"
    list_display = ("created_at", "equipment", "from_status", "to_status", "reason", "actor")
    list_filter = ("to_status", "equipment__makerspace")
    search_fields = ("equipment__name", "reason")
    list_select_related = ("equipment", "actor")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in EquipmentStatusChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
