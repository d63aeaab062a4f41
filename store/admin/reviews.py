"""Store admin for reviews: moderation actions through the review services (the product rating follows)."""

from __future__ import annotations

from django.contrib import admin

from makrx.admin.actions import ServiceActionsMixin
from makrx.admin.display import LocalTimeAdminMixin, StatusBadgeMixin
from makrx.admin.readonly import ReadOnlyAdminMixin
from store.models import Review
from store.services import reviews as services


@admin.register(Review)
class ReviewAdmin(LocalTimeAdminMixin, StatusBadgeMixin, ServiceActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("product", "user", "rating", "title", "status", "created_at", "moderated_by", "moderated_at")
    list_filter = ("status", "rating", "created_at")
    list_select_related = ("product", "user", "moderated_by")
    search_fields = ("product__sku", "product__name", "user__username", "user__email", "title", "body")
    date_hierarchy = "created_at"
    actions = ["publish", "reject"]

    @admin.action(description="Publish selected reviews")
    def publish(self, request, queryset):
        self.run_service(
            request, queryset, lambda r: services.review_publish(actor=request.user, review=r), "reviews published"
        )

    @admin.action(description="Reject selected reviews (or take published ones down)")
    def reject(self, request, queryset):
        self.run_service(
            request, queryset, lambda r: services.review_reject(actor=request.user, review=r), "reviews rejected"
        )
