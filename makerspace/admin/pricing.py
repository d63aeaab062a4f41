"""Admin for cost rules and promo codes: managers edit them; every save goes through the pricing services."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import CostRule, PromoCode, PromoRedemption
from makerspace.services import pricing as pricing_services
from makrx.admin.readonly import ReadOnlyInline


@admin.register(CostRule)
class CostRuleAdmin(MakerspaceScopedAdmin):
    list_display = (
        "name",
        "makerspace",
        "kind",
        "priority",
        "equipment",
        "equipment_type",
        "amount",
        "percent",
        "active",
    )
    list_filter = ("active", "kind", "makerspace")
    search_fields = ("name", "makerspace__name", "equipment__name")
    autocomplete_fields = ("makerspace", "equipment", "plan", "skill")
    list_select_related = ("makerspace", "equipment")
    ordering = ("makerspace", "priority", "id")
    actions = ["deactivate"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "makerspace") if obj else fields

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def save_model(self, request, obj, form, change):
        names = pricing_services.RULE_FIELDS
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name in names}
            pricing_services.cost_rule_update(rule=obj, actor=request.user, **fields)
            return
        fields = {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}
        obj.pk = pricing_services.cost_rule_create(makerspace=obj.makerspace, actor=request.user, **fields).pk

    def delete_model(self, request, obj):
        pricing_services.cost_rule_delete(rule=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            pricing_services.cost_rule_delete(rule=rule, actor=request.user)

    @admin.action(description="Deactivate selected rules")
    def deactivate(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda r: pricing_services.cost_rule_update(rule=r, actor=request.user, active=False),
            "deactivated",
        )


class PromoRedemptionInline(ReadOnlyInline):
    model = PromoRedemption
    fields = ("created_at", "user", "reservation", "discount")
    ordering = ("-created_at",)


@admin.register(PromoCode)
class PromoCodeAdmin(MakerspaceScopedAdmin):
    list_display = (
        "code",
        "makerspace",
        "kind",
        "value",
        "valid_from",
        "valid_until",
        "redemptions",
        "max_redemptions",
        "active",
    )
    list_filter = ("active", "kind", "makerspace")
    search_fields = ("code", "makerspace__name")
    autocomplete_fields = ("makerspace",)
    list_select_related = ("makerspace",)
    readonly_fields = ("redemptions",)
    inlines = [PromoRedemptionInline]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # A code's terms are fixed once made (redemptions were counted against them); it can only be switched off.
        return (*fields, "makerspace", "code", "kind", "value", "valid_from", "max_redemptions") if obj else fields

    def save_model(self, request, obj, form, change):
        if change:
            if form.changed_data:
                pricing_services.promo_code_update(
                    promo=obj,
                    actor=request.user,
                    **{
                        name: form.cleaned_data[name] for name in form.changed_data if name in ("valid_until", "active")
                    },
                )
            return
        data = form.cleaned_data
        created = pricing_services.promo_code_create(
            makerspace=data["makerspace"],
            actor=request.user,
            code=data["code"],
            kind=data["kind"],
            value=data["value"],
            valid_from=data.get("valid_from"),
            valid_until=data.get("valid_until"),
            max_redemptions=data.get("max_redemptions"),
            active=data.get("active", True),
        )
        obj.pk = created.pk
