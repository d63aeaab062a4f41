"""Admin for membership plans and subscriptions: every save and action goes through the plan services."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import MembershipPlan, Subscription
from makerspace.services import plans as plan_services


@admin.register(MembershipPlan)
class MembershipPlanAdmin(MakerspaceScopedAdmin):
    list_display = (
        "name",
        "makerspace",
        "price",
        "currency",
        "billing_period",
        "included_hours",
        "equipment_types",
        "max_reservation_minutes",
        "max_reservations_per_week",
        "active",
    )
    list_filter = ("active", "billing_period", "makerspace")
    search_fields = ("name", "description", "makerspace__name")
    autocomplete_fields = ("makerspace",)
    list_select_related = ("makerspace",)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "makerspace") if obj else fields

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in plan_services.PLAN_FIELDS}
        if change:
            plan_services.plan_update(plan=obj, actor=request.user, **fields)
            return
        fields.pop("name", None)
        created = plan_services.plan_create(
            makerspace=obj.makerspace, name=form.cleaned_data["name"], actor=request.user, **fields
        )
        obj.pk = created.pk


@admin.register(Subscription)
class SubscriptionAdmin(MakerspaceScopedAdmin):
    makerspace_path = "member__makerspace"
    list_display = ("member", "plan", "starts_at", "ends_at", "status", "auto_renew", "renewed_from")
    list_filter = ("status", "auto_renew", "plan__billing_period", "member__makerspace")
    search_fields = ("member__user__username", "member__user__email", "plan__name")
    autocomplete_fields = ("member", "plan")
    list_select_related = ("member__user", "member__makerspace", "plan")
    date_hierarchy = "ends_at"
    readonly_fields = ("status", "renewed_from", "cancelled_at", "created_at", "updated_at")
    actions = ["cancel", "expire_now"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "member", "plan", "starts_at", "ends_at") if obj else fields

    def save_model(self, request, obj, form, change):
        if change:
            if "auto_renew" in form.changed_data:
                plan_services.subscription_auto_renew_set(
                    subscription=obj, auto_renew=obj.auto_renew, actor=request.user
                )
            return
        created = plan_services.subscription_create(
            member=obj.member, plan=obj.plan, actor=request.user, starts_at=obj.starts_at, auto_renew=obj.auto_renew
        )
        obj.pk, obj.ends_at, obj.status = created.pk, created.ends_at, created.status

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        # On add, the end follows from the plan's billing period.
        return [f for f in fields if f != "ends_at"] if obj is None else fields

    @admin.action(description="Cancel selected subscriptions")
    def cancel(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda s: plan_services.subscription_cancel(subscription=s, actor=request.user, reason="admin"),
            "cancelled",
        )

    @admin.action(description="Expire (or auto-renew) selected subscriptions that have ended")
    def expire_now(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda s: plan_services.subscription_expire(subscription_id=s.pk, actor=request.user),
            "checked for expiry",
        )
