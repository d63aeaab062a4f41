"""Admin for the transactions ledger: read-only, filterable by kind and period (date hierarchy)."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import BillableRecord


@admin.register(BillableRecord)
class BillableRecordAdmin(MakerspaceScopedAdmin):
    list_display = ("occurred_at", "makerspace", "member", "kind", "description", "amount", "currency", "invoice_link")
    list_filter = ("makerspace", "kind", ("occurred_at", admin.DateFieldListFilter))
    search_fields = ("description", "member__user__username", "member__user__email")
    list_select_related = ("makerspace", "member__user", "invoice_line__invoice")
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in BillableRecord._meta.fields]

    def has_add_permission(self, request):
        return False  # written by the services that cause them (staff fees: the billing service)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Invoice")
    def invoice_link(self, obj):
        line = getattr(obj, "invoice_line", None)
        return str(line.invoice) if line is not None else "unbilled"
