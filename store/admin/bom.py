"""Store admin for BOM imports (read-only, with a re-map action) and products' supplier part numbers."""

from __future__ import annotations

from django.contrib import admin

from makrx.admin.actions import ServiceActionsMixin
from makrx.admin.display import LocalTimeAdminMixin, StatusBadgeMixin
from makrx.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline
from store.models import BomImport, BomLine, SupplierPartNumber
from store.services import bom as bom_services


class BomLineInline(ReadOnlyInline):
    model = BomLine
    fields = (
        "line", "source_row", "designators", "quantity", "mpn", "manufacturer", "supplier_part", "value",
        "footprint", "status", "method", "product", "confidence",
    )  # fmt: skip


@admin.register(BomImport)
class BomImportAdmin(LocalTimeAdminMixin, ServiceActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "file_name", "user", "file_format", "board_quantity", "line_count", "mapped_count",
                    "created_at", "added_to_cart_at")  # fmt: skip
    list_filter = ("file_format", "created_at", "added_to_cart_at")
    list_select_related = ("user",)
    search_fields = ("file_name", "user__username", "user__email", "lines__mpn", "file_sha256")
    date_hierarchy = "created_at"
    inlines = [BomLineInline]
    actions = ["remap"]

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    @admin.display(description="lines")
    def line_count(self, obj):
        return (obj.summary or {}).get("lines", 0)

    @admin.display(description="mapped")
    def mapped_count(self, obj):
        return (obj.summary or {}).get("mapped", 0)

    @admin.action(description="Re-map selected imports against today's catalog (manual choices kept)")
    def remap(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda bom_import: bom_services.bom_import_remap(actor=request.user, bom_import=bom_import),
            "imports re-mapped",
        )


@admin.register(BomLine)
class BomLineAdmin(LocalTimeAdminMixin, StatusBadgeMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("bom_import", "line", "mpn", "manufacturer", "quantity", "status", "method", "product",
                    "confidence")  # fmt: skip
    list_filter = ("status", "method")
    list_select_related = ("bom_import", "product")
    search_fields = ("mpn", "supplier_part", "value", "description", "product__sku")


@admin.register(SupplierPartNumber)
class SupplierPartNumberAdmin(admin.ModelAdmin):
    list_display = ("supplier", "part_number", "product")
    list_filter = ("supplier",)
    list_select_related = ("product",)
    search_fields = ("part_number", "part_number_normalized", "product__sku", "product__name")
    autocomplete_fields = ("product",)
