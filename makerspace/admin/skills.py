"""Admin for skills and members' skill grants: create, edit, grant and revoke through the skill services."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import MemberSkill, Skill
from makerspace.services import skills as skill_services


@admin.register(Skill)
class SkillAdmin(MakerspaceScopedAdmin):
    list_display = ("name", "level", "makerspace", "created_at")
    list_filter = ("level", "makerspace")
    search_fields = ("name", "description", "makerspace__name")
    autocomplete_fields = ("makerspace",)
    list_select_related = ("makerspace",)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "makerspace") if obj else fields

    def save_model(self, request, obj, form, change):
        if change:
            fields = {
                name: form.cleaned_data[name] for name in form.changed_data if name in ("name", "level", "description")
            }
            skill_services.skill_update(skill=obj, actor=request.user, **fields)
            return
        created = skill_services.skill_create(
            makerspace=obj.makerspace, name=obj.name, level=obj.level, description=obj.description, actor=request.user
        )
        obj.pk = created.pk


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
