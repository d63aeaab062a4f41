"""Store admin for customers' reorder lists (read-only: customers keep them through the API)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count

from makrx.admin.display import LocalTimeAdminMixin
from makrx.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline
from store.models import ReorderLine, ReorderList


class ReorderLineInline(ReadOnlyInline):
    model = ReorderLine
    fields = ("sku", "quantity")


@admin.register(ReorderList)
class ReorderListAdmin(LocalTimeAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "user", "line_count", "source_order", "created_at", "updated_at")
    list_filter = ("created_at",)
    list_select_related = ("user", "source_order")
    search_fields = ("name", "user__username", "user__email", "lines__sku", "source_order__number")
    date_hierarchy = "created_at"
    inlines = [ReorderLineInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(line_total=Count("lines"))

    @admin.display(description="lines", ordering="line_total")
    def line_count(self, obj) -> int:
        return obj.line_total
