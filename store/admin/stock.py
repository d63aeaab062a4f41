"""Store admin for stock levels and the stock ledger: read-only (stock changes through the stock service)."""

from __future__ import annotations

from django.contrib import admin

from makrx.admin.display import LocalTimeAdminMixin
from makrx.admin.readonly import ReadOnlyAdminMixin
from store.models import StockLevel, StockMovement


@admin.register(StockLevel)
class StockLevelAdmin(LocalTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only view of stock; change it with the product's "on hand" field or the "Set stock" action."""

    list_display = ("product", "on_hand", "reserved", "available", "updated_at")
    list_select_related = ("product",)
    search_fields = ("product__sku", "product__name")
    list_filter = (("updated_at", admin.DateFieldListFilter),)

    @admin.display(description="available")
    def available(self, level):
        return level.available


@admin.register(StockMovement)
class StockMovementAdmin(LocalTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "product", "kind", "on_hand_delta", "reserved_delta", "on_hand_after", "actor")
    list_filter = ("kind",)
    list_select_related = ("product", "actor")
    search_fields = ("product__sku", "note")
    date_hierarchy = "created_at"
