"""Store admin for coupons (with their redemption counts) and the redemptions themselves (read-only)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Q

from makrx.admin.actions import ServiceActionsMixin
from makrx.admin.display import LocalTimeAdminMixin
from makrx.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline
from makrx.errors import DomainError
from store.models import Coupon, CouponRedemption
from store.services import coupons as services


class CouponRedemptionInline(ReadOnlyInline):
    model = CouponRedemption
    fields = ("order", "user", "email", "amount", "created_at", "released_at")


@admin.register(Coupon)
class CouponAdmin(LocalTimeAdminMixin, ServiceActionsMixin, admin.ModelAdmin):
    list_display = (
        "code", "kind", "value", "currency", "minimum_subtotal", "starts_at", "ends_at", "active",
        "redeemed", "released", "max_redemptions", "max_redemptions_per_customer",
    )  # fmt: skip
    list_filter = ("active", "kind", "currency", "starts_at", "ends_at")
    search_fields = ("code", "description")
    autocomplete_fields = ("categories", "products")
    inlines = [CouponRedemptionInline]
    actions = ["activate", "deactivate"]

    def save_model(self, request, obj, form, change):
        # The form already validated the fields and constraints; the service checks the actor and saves.
        try:
            services.coupon_save(actor=request.user, coupon=obj)
        except DomainError as exc:
            self.message_user(request, exc.detail, level=messages.ERROR)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                redeemed_count=Count("redemptions", filter=Q(redemptions__released_at__isnull=True)),
                released_count=Count("redemptions", filter=Q(redemptions__released_at__isnull=False)),
            )
        )

    @admin.display(description="redeemed", ordering="redeemed_count")
    def redeemed(self, obj) -> int:
        return obj.redeemed_count

    @admin.display(description="released", ordering="released_count")
    def released(self, obj) -> int:
        return obj.released_count

    @admin.action(description="Activate selected coupons")
    def activate(self, request, queryset):
        self.run_service(
            request, queryset, lambda c: services.coupon_activate(actor=request.user, coupon=c), "coupons activated"
        )

    @admin.action(description="Deactivate selected coupons")
    def deactivate(self, request, queryset):
        self.run_service(
            request, queryset, lambda c: services.coupon_deactivate(actor=request.user, coupon=c), "coupons deactivated"
        )


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(LocalTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("coupon", "order", "user", "email", "amount", "created_at", "released_at")
    list_filter = ("released_at", "created_at")
    list_select_related = ("coupon", "order", "user")
    search_fields = ("coupon__code", "order__number", "email", "user__username")
