"""Admin for members (add, role, approve, reject, suspend, reactivate, skills through services) and their history.

The plan of a membership follows its subscriptions (Subscription screen), so it is read-only here.
"""

from __future__ import annotations

import csv

from django import forms
from django.contrib import admin
from django.http import StreamingHttpResponse
from django.urls import reverse

from makerspace.admin.scoping import MakerspaceScopedAdmin, admin_scope
from makerspace.models import Member, MemberEvent, MemberSkill, MemberSkillEvent, Skill
from makerspace.selectors import members as member_selectors
from makerspace.services import members as member_services
from makerspace.services import skills as skill_services
from makrx.admin.actions import ObjectButton
from makrx.admin.readonly import ReadOnlyInline
from makrx.auth import roles, scoping


class SuspendForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class GrantSkillForm(forms.Form):
    skill = forms.ModelChoiceField(queryset=Skill.objects.none())
    expires_at = forms.DateTimeField(required=False, help_text="Optional, UTC: YYYY-MM-DD HH:MM")

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        skills = Skill.objects.select_related("makerspace")
        self.fields["skill"].queryset = skills if scope is None else skills.filter(makerspace_id__in=scope)


class MemberEventInline(ReadOnlyInline):
    model = MemberEvent
    fields = ("created_at", "actor", "from_status", "to_status", "from_role", "to_role", "reason")
    ordering = ["-created_at"]


class MemberSkillInline(ReadOnlyInline):
    model = MemberSkill
    fk_name = "member"
    fields = ("skill", "granted_by", "granted_at", "expires_at", "revoked_at")


class MemberSkillEventInline(ReadOnlyInline):
    """The member's skill audit: every grant, renewal, revoke, expiry, suspension and reinstatement."""

    model = MemberSkillEvent
    fk_name = "member"
    verbose_name_plural = "skill audit"
    fields = ("created_at", "skill", "action", "actor", "expires_at", "reason")
    ordering = ["-created_at"]


@admin.register(Member)
class MemberAdmin(MakerspaceScopedAdmin):
    list_display = ("status", "user", "full_name", "makerspace", "role", "plan_name", "joined_at")
    list_filter = ("status", "role", "makerspace")
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name", "makerspace__name")
    autocomplete_fields = ("user", "makerspace")
    list_select_related = ("user", "makerspace", "plan")
    readonly_fields = ("status", "status_reason", "plan", "joined_at", "created_at", "updated_at")
    inlines = [MemberSkillInline, MemberSkillEventInline, MemberEventInline]
    actions = ["approve", "reject", "suspend", "reactivate", "grant_skill", "export_csv"]
    object_buttons = (
        ObjectButton("Approve", action="approve", shown=lambda m: m.status == Member.Status.PENDING),
        ObjectButton("Reject", action="reject", shown=lambda m: m.status == Member.Status.PENDING),
        ObjectButton("Suspend…", action="suspend", shown=lambda m: m.status == Member.Status.ACTIVE),
        ObjectButton("Reactivate", action="reactivate", shown=lambda m: m.status == Member.Status.SUSPENDED),
        ObjectButton(
            "Book a machine",
            url=lambda admin_, m: reverse("admin:makerspace_reservation_book") + f"?member={m.pk}",
            shown=lambda m: m.status == Member.Status.ACTIVE,
        ),
    )

    @admin.display(description="plan", ordering="plan__name")
    def plan_name(self, obj):
        return obj.plan.name if obj.plan else "-"

    @admin.display(description="name", ordering="user__last_name")
    def full_name(self, obj):
        return obj.user.get_full_name()

    def get_readonly_fields(self, request, obj=None):
        # Who and where are fixed once the membership exists.
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "user", "makerspace") if obj else fields

    def get_form(self, request, obj=None, **kwargs):
        # The service refuses the admin role to anyone but a space admin; do not offer what would be refused.
        form = super().get_form(request, obj, **kwargs)
        role = form.base_fields.get("role")
        if role is not None and not self._may_grant_admin(request.user, obj):
            keep = {obj.role} if obj is not None else set()
            role.choices = [(v, label) for v, label in role.choices if v != Member.Role.ADMIN or v in keep]
        return form

    @staticmethod
    def _may_grant_admin(user, obj) -> bool:
        if obj is not None:
            return scoping.can_admin_makerspace(user, obj.makerspace_id)
        if roles.is_platform_admin(user):
            return True
        return roles.MEMBER_ROLE_ADMIN in scoping.makerspace_roles_for_user(user).values()

    def save_model(self, request, obj, form, change):
        if not change:
            created = member_services.member_add(
                makerspace=obj.makerspace, user=obj.user, role=obj.role, actor=request.user
            )
            obj.pk, obj.status, obj.joined_at = created.pk, created.status, created.joined_at
            return
        if "role" in form.changed_data:
            member_services.member_role_change(member=obj, role=obj.role, actor=request.user, reason="admin")

    @admin.action(description="Approve selected join requests")
    def approve(self, request, queryset):
        self.run_service(
            request, queryset, lambda m: member_services.member_approve(member=m, actor=request.user), "approved"
        )

    @admin.action(description="Reject selected join requests")
    def reject(self, request, queryset):
        self.run_service(
            request, queryset, lambda m: member_services.member_reject(member=m, actor=request.user), "rejected"
        )

    @admin.action(description="Suspend selected members…")
    def suspend(self, request, queryset):
        return self.run_service_with_input(
            request,
            queryset,
            self.input_form(request, SuspendForm),
            action="suspend",
            title="Suspend members",
            service=lambda m, data: member_services.member_suspend(member=m, actor=request.user, reason=data["reason"]),
            done="suspended",
        )

    @admin.action(description="Grant a skill to selected members…")
    def grant_skill(self, request, queryset):
        form = self.input_form(request, GrantSkillForm, scope=admin_scope(request))
        return self.run_service_with_input(
            request,
            queryset,
            form,
            action="grant_skill",
            title="Grant a skill",
            service=lambda m, data: skill_services.member_skill_grant(
                member=m, skill=data["skill"], actor=request.user, expires_at=data["expires_at"]
            ),
            done=f"granted {form.cleaned_data['skill']}" if form.is_valid() else "granted",
        )

    @admin.action(description="Export selected members as CSV")
    def export_csv(self, request, queryset):
        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())
        rows = member_selectors.member_csv_rows(queryset)  # the queryset is this screen's, scoped to the user
        response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="members.csv"'
        return response

    @admin.action(description="Reactivate selected members")
    def reactivate(self, request, queryset):
        self.run_service(
            request, queryset, lambda m: member_services.member_reactivate(member=m, actor=request.user), "reactivated"
        )


@admin.register(MemberEvent)
class MemberEventAdmin(MakerspaceScopedAdmin):
    makerspace_path = "member__makerspace"
    list_display = ("created_at", "member", "from_status", "to_status", "from_role", "to_role", "actor", "reason")
    list_filter = ("to_status", "to_role", "member__makerspace")
    search_fields = ("member__user__username", "reason", "actor__username")
    list_select_related = ("member__user", "member__makerspace", "actor")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in MemberEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
