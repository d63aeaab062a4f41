"""Admin for safety incidents: file (with optional skill suspension), investigate and close through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import SafetyIncident
from makerspace.services import incidents as incident_services


class IncidentForm(forms.ModelForm):
    suspend_skills = forms.BooleanField(
        required=False, help_text="Severe incidents naming a member: hold their skills for this machine pending review."
    )

    class Meta:
        model = SafetyIncident
        fields = ("equipment", "member", "severity", "occurred_at", "description", "actions_taken")


class CloseForm(forms.Form):
    actions_taken = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reinstate_skills = forms.BooleanField(required=False, help_text="Lift the skill suspensions these incidents made.")


@admin.register(SafetyIncident)
class SafetyIncidentAdmin(MakerspaceScopedAdmin):
    form = IncidentForm
    list_display = ("id", "equipment", "member", "severity", "status", "occurred_at", "reported_by")
    list_filter = ("status", "severity", "makerspace", "equipment")
    search_fields = ("description", "actions_taken", "equipment__name", "member__user__username")
    autocomplete_fields = ("equipment", "member")
    list_select_related = ("equipment", "member__user", "reported_by", "makerspace")
    readonly_fields = ("status", "closed_at", "reported_by", "makerspace")
    actions = ["investigate", "close"]

    def get_fields(self, request, obj=None):
        fields = ["equipment", "member", "severity", "occurred_at", "description", "actions_taken"]
        return [*fields, "suspend_skills"] if obj is None else [*fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "equipment", "member") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            fields = {
                name: data[name]
                for name in form.changed_data
                if name in ("severity", "occurred_at", "description", "actions_taken")
            }
            incident_services.incident_update(incident=obj, actor=request.user, **fields)
            return
        created = incident_services.incident_file(
            actor=request.user,
            equipment=data["equipment"],
            member=data.get("member"),
            severity=data["severity"],
            description=data["description"],
            actions_taken=data.get("actions_taken", ""),
            occurred_at=data.get("occurred_at"),
            suspend_skills=data.get("suspend_skills", False),
        )
        obj.pk = created.pk

    @admin.action(description="Start investigating selected incidents")
    def investigate(self, request, queryset):
        self.run_service(
            request, queryset, lambda i: incident_services.incident_investigate(incident=i, actor=request.user), "moved"
        )

    @admin.action(description="Close selected incidents…")
    def close(self, request, queryset):
        return self.run_service_with_input(
            request,
            queryset,
            self.input_form(request, CloseForm),
            action="close",
            title="Close incidents",
            service=lambda i, data: incident_services.incident_close(
                incident=i,
                actor=request.user,
                actions_taken=data["actions_taken"],
                reinstate_skills=data["reinstate_skills"],
            ),
            done="closed",
        )
