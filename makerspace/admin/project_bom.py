"""Admin for BOM lines: a searchable list across projects with state transitions through the BOM services."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import BOMLine
from makerspace.services import project_bom as bom_services


@admin.register(BOMLine)
class BOMLineAdmin(MakerspaceScopedAdmin):
    makerspace_path = "project__makerspace"
    list_display = ("id", "project", "description", "inventory_item", "store_sku", "quantity", "unit_cost", "state")
    list_filter = ("state", "project__makerspace")
    search_fields = ("description", "store_sku", "inventory_item__sku", "project__title")
    list_select_related = ("project", "inventory_item")
    readonly_fields = (
        "project",
        "inventory_item",
        "store_sku",
        "description",
        "quantity",
        "unit_cost",
        "currency",
        "state",
        "consumed_movement",
    )
    actions = ["mark_ordered", "mark_received", "mark_consumed"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def _move(self, request, queryset, state):
        self.run_service(
            request,
            queryset,
            lambda line: bom_services.bom_line_transition(actor=request.user, line=line, state=state),
            f"marked {state}",
        )

    @admin.action(description="Mark selected lines ordered")
    def mark_ordered(self, request, queryset):
        self._move(request, queryset, BOMLine.State.ORDERED)

    @admin.action(description="Mark selected lines received (restocks inventory lines)")
    def mark_received(self, request, queryset):
        self._move(request, queryset, BOMLine.State.RECEIVED)

    @admin.action(description="Mark selected lines consumed (draws inventory lines)")
    def mark_consumed(self, request, queryset):
        self._move(request, queryset, BOMLine.State.CONSUMED)
