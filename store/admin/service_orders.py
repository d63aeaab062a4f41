"""Store admin for service orders: the timeline, the bridge message, and publishing through the service."""

from __future__ import annotations

from django.contrib import admin

from makrx.admin.actions import ServiceActionsMixin
from makrx.admin.display import LocalTimeAdminMixin, StatusBadgeMixin
from makrx.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline
from store.models import ServiceOrder, ServiceOrderEvent
from store.services import service_orders as services


class ServiceOrderEventInline(ReadOnlyInline):
    model = ServiceOrderEvent
    fields = ("created_at", "kind", "from_status", "to_status", "actor", "note", "data")


@admin.register(ServiceOrder)
class ServiceOrderAdmin(
    LocalTimeAdminMixin, StatusBadgeMixin, ServiceActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    list_display = ("status", "id", "title", "delivery", "order", "user", "created_at", "published_at")
    list_filter = ("status", "delivery", "created_at")
    list_select_related = ("order", "user")
    search_fields = ("id", "title", "order__number", "user__username", "user__email")
    date_hierarchy = "created_at"
    inlines = [ServiceOrderEventInline]
    actions = ["publish"]

    @admin.action(description="Publish the selected paid service orders to the makerspaces")
    def publish(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda service_order: services.service_order_publish(service_order=service_order, actor=request.user),
            "service orders published",
        )
