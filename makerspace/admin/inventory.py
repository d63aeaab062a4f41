"""Admin for inventory items and their ledger: stock and status, movements through the services, QR labels."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db.models import F, Q
from django.http import HttpResponse

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import InventoryItem, StockMovement
from makerspace.services import inventory as inventory_services
from makerspace.services import inventory_labels as label_services
from makrx.admin.display import badge
from makrx.admin.readonly import ReadOnlyAdminMixin, ReadOnlyInline
from makrx.errors import DomainError

EDITABLE = list(inventory_services.ITEM_FIELDS)


class LowStockFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock"
    LOW = Q(active=True, reorder_level__gt=0, quantity__lte=F("reorder_level"))

    def lookups(self, request, model_admin):
        return (("low", "At or below reorder level"), ("ok", "Above reorder level"), ("empty", "Out of stock"))

    def queryset(self, request, queryset):
        if self.value() == "low":
            return queryset.filter(self.LOW)
        if self.value() == "ok":
            return queryset.exclude(self.LOW)
        if self.value() == "empty":
            return queryset.filter(quantity=0)
        return queryset


class MovementInline(ReadOnlyInline):
    model = StockMovement
    fk_name = "item"
    fields = ("created_at", "kind", "quantity", "quantity_before", "quantity_after", "reason", "reference", "actor")
    ordering = ("-created_at", "-id")
    max_num = 0
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class RestockForm(forms.Form):
    quantity = forms.DecimalField(max_digits=14, decimal_places=3, min_value=Decimal("0.001"))
    reason = forms.CharField(max_length=500, required=False)
    reference = forms.CharField(max_length=200, required=False, help_text="Delivery note, invoice number, …")


class AdjustForm(forms.Form):
    quantity = forms.DecimalField(
        max_digits=14, decimal_places=3, help_text="Signed: negative removes stock, positive adds it."
    )
    reason = forms.CharField(max_length=500)


@admin.register(InventoryItem)
class InventoryItemAdmin(MakerspaceScopedAdmin):
    list_display = (
        "stock_status",
        "sku",
        "name",
        "makerspace",
        "quantity",
        "unit",
        "reorder_level",
        "location",
        "active",
    )
    list_filter = (LowStockFilter, "makerspace", "supplier", "access_level", "unit", "active", "category")
    search_fields = ("sku", "name", "category", "location", "store_sku", "supplier_name")
    autocomplete_fields = ("makerspace",)
    list_select_related = ("makerspace",)
    readonly_fields = ("quantity", "low_stock_notified_at", "created_at", "updated_at")
    fields = ("makerspace", *EDITABLE, "quantity", "low_stock_notified_at", "created_at", "updated_at")
    inlines = [MovementInline]
    actions = ["restock", "adjust", "label_sheet", "export_csv"]
    csv_fields = ("sku", "name", "makerspace__name", "quantity", "unit", "reorder_level", "location", "supplier_name",
                  "active", "updated_at")  # fmt: skip

    @admin.display(description="stock")
    def stock_status(self, obj):
        if obj.quantity == 0:
            return badge("out_of_stock", "out of stock")
        return badge("low_stock", "low") if obj.is_low else badge("in_stock", "ok")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "makerspace") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE}
        if change:
            inventory_services.item_update(actor=request.user, item=obj, **fields)
        else:
            fields = {name: form.cleaned_data[name] for name in EDITABLE if name in form.cleaned_data}
            created = inventory_services.item_create(
                actor=request.user, makerspace=form.cleaned_data["makerspace"], **fields
            )
            obj.pk = created.pk

    def _movement_action(self, request, queryset, *, form_class, action: str, title: str, kind: str, done: str):
        """Ask for the movement's figures once, then record it on every selected item through the service."""
        return self.run_service_with_input(
            request,
            queryset,
            self.input_form(request, form_class),
            action=action,
            title=title,
            service=lambda item, data: inventory_services.movement_record(
                actor=request.user,
                item=item,
                kind=kind,
                quantity=data["quantity"],
                reason=data["reason"],
                reference=data.get("reference", ""),
            ),
            done=done,
        )

    @admin.action(description="Restock selected items…")
    def restock(self, request, queryset):
        return self._movement_action(
            request,
            queryset,
            form_class=RestockForm,
            action="restock",
            title="Restock items",
            kind=StockMovement.Kind.RESTOCK,
            done="restocked",
        )

    @admin.action(description="Adjust stock of selected items (with a reason)…")
    def adjust(self, request, queryset):
        return self._movement_action(
            request,
            queryset,
            form_class=AdjustForm,
            action="adjust",
            title="Adjust stock",
            kind=StockMovement.Kind.ADJUSTMENT,
            done="adjusted",
        )

    @admin.action(description="Print QR labels of selected items (PDF sheet)")
    def label_sheet(self, request, queryset):
        try:
            pdf = label_services.items_label_sheet_pdf(actor=request.user, items=list(queryset.order_by("sku")))
        except DomainError as exc:
            self.message_user(request, exc.detail, messages.ERROR)
            return None
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="inventory-labels.pdf"'
        return response


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdminMixin, MakerspaceScopedAdmin):
    list_display = (
        "created_at",
        "item",
        "makerspace",
        "kind",
        "quantity",
        "quantity_before",
        "quantity_after",
        "reason",
        "reference",
        "actor",
    )
    list_filter = ("kind", "makerspace")
    search_fields = ("item__sku", "item__name", "reason", "reference", "actor__username")
    list_select_related = ("item", "makerspace", "actor")
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
