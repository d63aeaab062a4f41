"""Admin for invitations: invite (the link is shown once in a message), resend and revoke through the services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import Invite
from makerspace.services import invites as invite_services


class InviteStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Invite.Status.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == Invite.Status.ACCEPTED:
            return queryset.filter(accepted_at__isnull=False)
        if value == Invite.Status.REVOKED:
            return queryset.filter(accepted_at__isnull=True, revoked_at__isnull=False)
        live = queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        if value == Invite.Status.EXPIRED:
            return live.filter(expires_at__lte=now)
        if value == Invite.Status.PENDING:
            return live.filter(expires_at__gt=now)
        return queryset


@admin.register(Invite)
class InviteAdmin(MakerspaceScopedAdmin):
    list_display = ("email", "makerspace", "role", "plan", "status", "expires_at", "sent_count", "invited_by")
    list_filter = (InviteStatusFilter, "role", "makerspace")
    search_fields = ("email", "makerspace__name", "invited_by__username")
    autocomplete_fields = ("makerspace",)
    list_select_related = ("makerspace", "plan", "invited_by")
    fields = (
        "makerspace",
        "email",
        "role",
        "plan",
        "expires_at",
        "sent_count",
        "invited_by",
        "accepted_at",
        "accepted_by",
        "member",
        "revoked_at",
    )
    readonly_fields = (
        "expires_at",
        "sent_count",
        "invited_by",
        "accepted_at",
        "accepted_by",
        "member",
        "revoked_at",
    )
    actions = ["resend", "revoke"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "makerspace", "email", "role", "plan") if obj else fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        invite, token = invite_services.invite_create(
            makerspace=obj.makerspace, email=obj.email, role=obj.role, plan=obj.plan, actor=request.user
        )
        obj.pk = invite.pk
        self.message_user(
            request,
            f"Invitation emailed. Its link, shown only now: {invite_services.accept_url(token)}",
            messages.SUCCESS,
        )

    @admin.action(description="Resend selected invitations (new link; the old one stops working)")
    def resend(self, request, queryset):
        def service(invite):
            invite_services.invite_resend(invite=invite, actor=request.user)

        self.run_service(request, queryset, service, "resent")

    @admin.action(description="Revoke selected invitations")
    def revoke(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda invite: invite_services.invite_revoke(invite=invite, actor=request.user),
            "revoked",
        )
