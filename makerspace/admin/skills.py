"""Admin for skills and members' skill grants: create, edit, grant and revoke through the skill services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import MemberSkill, MemberSkillEvent, Skill, SkillRequest
from makerspace.services import skills as skill_services
from makrx.admin.readonly import ReadOnlyAdminMixin


@admin.register(Skill)
class SkillAdmin(MakerspaceScopedAdmin):
    """Prerequisites are saved by the skill service (same makerspace, no cycles), never by the form directly."""

    list_display = ("name", "level", "makerspace", "created_at")
    list_filter = ("level", "makerspace")
    search_fields = ("name", "description", "makerspace__name")
    autocomplete_fields = ("makerspace", "prerequisites")
    list_select_related = ("makerspace",)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "makerspace") if obj else fields

    def save_model(self, request, obj, form, change):
        prerequisites = list(form.cleaned_data.get("prerequisites") or [])
        if change:
            fields = {
                name: form.cleaned_data[name] for name in form.changed_data if name in ("name", "level", "description")
            }
            if "prerequisites" in form.changed_data:
                fields["prerequisites"] = prerequisites
            skill_services.skill_update(skill=obj, actor=request.user, **fields)
            return
        created = skill_services.skill_create(
            makerspace=obj.makerspace,
            name=obj.name,
            level=obj.level,
            description=obj.description,
            prerequisites=prerequisites,
            actor=request.user,
        )
        obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        # The service already saved the prerequisites; the form's own M2M save would bypass its cycle check.
        form.save_m2m = lambda: None
        super().save_related(request, form, formsets, change)


class ActiveGrantFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.active(now)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(MemberSkill)
class MemberSkillAdmin(MakerspaceScopedAdmin):
    """Adding a row here grants the skill (renewing an existing grant); the action revokes."""

    makerspace_path = "member__makerspace"
    list_display = ("member", "skill", "granted_by", "granted_at", "expires_at", "revoked_at")
    list_filter = (ActiveGrantFilter, "skill__makerspace", "skill")
    search_fields = ("member__user__username", "member__user__email", "skill__name")
    autocomplete_fields = ("member", "skill")
    list_select_related = ("member__user", "member__makerspace", "skill", "granted_by")
    fields = ("member", "skill", "expires_at", "granted_by", "granted_at", "revoked_at", "revoked_by")
    readonly_fields = ("granted_by", "granted_at", "revoked_at", "revoked_by")
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "member", "skill", "expires_at") if obj else fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        grant, _ = skill_services.member_skill_grant(
            member=obj.member, skill=obj.skill, actor=request.user, expires_at=obj.expires_at
        )
        obj.pk = grant.pk

    @admin.action(description="Revoke selected skill grants")
    def revoke(self, request, queryset):
        self.run_service(
            request,
            queryset.filter(revoked_at__isnull=True),
            lambda g: skill_services.member_skill_revoke(member=g.member, skill_id=g.skill_id, actor=request.user),
            "revoked",
        )


class RejectRequestForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ApproveRequestForm(forms.Form):
    expires_at = forms.DateTimeField(required=False, help_text="Optional, UTC: YYYY-MM-DD HH:MM")


@admin.register(SkillRequest)
class SkillRequestAdmin(MakerspaceScopedAdmin):
    """Members' requests; staff approve (grants the skill) or reject them with a reason, through the services."""

    makerspace_path = "member__makerspace"
    list_display = ("member", "skill", "status", "created_at", "decided_by", "decided_at", "reason")
    list_filter = ("status", "member__makerspace", "skill")
    search_fields = ("member__user__username", "member__user__email", "skill__name", "note")
    list_select_related = ("member__user", "member__makerspace", "skill", "decided_by")
    readonly_fields = ("member", "skill", "note", "status", "decided_by", "decided_at", "reason", "grant")
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        return None  # every field is read-only; decisions go through the actions

    @admin.action(description="Approve selected requests (grant the skill)…")
    def approve(self, request, queryset):
        return self.run_service_with_input(
            request,
            queryset,
            self.input_form(request, ApproveRequestForm),
            action="approve",
            title="Approve skill requests",
            service=lambda r, data: skill_services.skill_request_approve(
                request=r, actor=request.user, expires_at=data["expires_at"]
            ),
            done="approved",
        )

    @admin.action(description="Reject selected requests…")
    def reject(self, request, queryset):
        return self.run_service_with_input(
            request,
            queryset,
            self.input_form(request, RejectRequestForm),
            action="reject",
            title="Reject skill requests",
            service=lambda r, data: skill_services.skill_request_reject(
                request=r, actor=request.user, reason=data["reason"]
            ),
            done="rejected",
        )


@admin.register(MemberSkillEvent)
class MemberSkillEventAdmin(ReadOnlyAdminMixin, MakerspaceScopedAdmin):
    """The skill audit across members (also shown under each member)."""

    makerspace_path = "member__makerspace"
    list_display = ("created_at", "member", "skill", "action", "actor", "expires_at", "reason")
    list_filter = ("action", "member__makerspace", "skill")
    search_fields = ("member__user__username", "skill__name", "reason", "actor__username")
    list_select_related = ("member__user", "member__makerspace", "skill", "actor")
    date_hierarchy = "created_at"
