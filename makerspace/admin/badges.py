"""Admin for badges (defined through the badge service) and the badges members earned (read-only)."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import Badge, MemberBadge
from makerspace.services import badges as badge_services
from makrx.admin.readonly import ReadOnlyAdminMixin


@admin.register(Badge)
class BadgeAdmin(MakerspaceScopedAdmin):
    list_display = ("name", "makerspace", "min_completed_sessions", "active", "created_at")
    list_filter = ("active", "makerspace")
    search_fields = ("name", "description", "makerspace__name")
    autocomplete_fields = ("makerspace", "required_skills")
    list_select_related = ("makerspace",)
    actions = ["award_now"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "makerspace") if obj else fields

    def save_model(self, request, obj, form, change):
        skills = list(form.cleaned_data.get("required_skills") or [])
        fields = {name: form.cleaned_data[name] for name in badge_services.BADGE_FIELDS if name in form.cleaned_data}
        if change:
            badge_services.badge_update(badge=obj, actor=request.user, required_skills=skills, **fields)
            return
        name = fields.pop("name")
        created = badge_services.badge_create(
            makerspace=obj.makerspace, name=name, required_skills=skills, actor=request.user, **fields
        )
        obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        form.save_m2m = lambda: None  # the service saved the skills (same-makerspace check)
        super().save_related(request, form, formsets, change)

    @admin.action(description="Award selected badges now to everyone who qualifies")
    def award_now(self, request, queryset):
        def service(badge):
            # Awarding is the platform's act; the screen is already scoped to the user's makerspaces.
            badge_services.badges_award(makerspace_id=badge.makerspace_id)

        self.run_service(request, queryset, service, "checked")


@admin.register(MemberBadge)
class MemberBadgeAdmin(ReadOnlyAdminMixin, MakerspaceScopedAdmin):
    makerspace_path = "member__makerspace"
    list_display = ("member", "badge", "awarded_at")
    list_filter = ("badge__makerspace", "badge")
    search_fields = ("member__user__username", "member__user__email", "badge__name")
    list_select_related = ("member__user", "member__makerspace", "badge")
    date_hierarchy = "awarded_at"
