"""Store admin for the catalog: tree categories, brands, tags, collections, products (CSV import/export).

Saves and actions go through the catalog and stock services, the same ones the API calls.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import F
from django.template.response import TemplateResponse
from import_export.admin import ImportExportModelAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from makrx.admin.actions import ServiceActionsMixin
from makrx.admin.display import LocalTimeAdminMixin, money_column
from makrx.errors import DomainError
from store.models import Brand, Category, Collection, CollectionProduct, Product, Tag
from store.resources import ProductResource
from store.services import catalog as services
from store.services.stock import stock_set_on_hand


def _save_through_service(model_admin, request, save) -> None:
    """Run the service behind an admin save; a refusal (duplicate, not store staff) becomes a message."""
    try:
        save()
    except DomainError as exc:
        model_admin.message_user(request, exc.detail, level=messages.ERROR)


@admin.register(Category)
class CategoryAdmin(ServiceActionsMixin, TreeAdmin):
    form = movenodeform_factory(Category, fields=["name", "slug", "description", "active"])
    list_display = ("name", "slug", "active", "depth", "numchild")
    list_filter = ("active", "depth")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    actions = ["activate", "deactivate"]

    @admin.action(description="Activate selected categories")
    def activate(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda category: services.category_update(actor=request.user, category=category, active=True),
            "categories activated",
        )

    @admin.action(description="Deactivate selected categories (hides their subtrees)")
    def deactivate(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda category: services.category_update(actor=request.user, category=category, active=False),
            "categories deactivated",
        )


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "website", "active", "updated_at")
    list_filter = ("active",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        _save_through_service(self, request, lambda: services.brand_save(actor=request.user, brand=obj))


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        _save_through_service(self, request, lambda: services.tag_save(actor=request.user, tag=obj))


class CollectionProductInline(admin.TabularInline):
    model = CollectionProduct
    autocomplete_fields = ("product",)
    fields = ("position", "product")
    ordering = ("position",)
    extra = 1


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position", "active", "updated_at")
    list_filter = ("active",)
    list_editable = ("position",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [CollectionProductInline]

    def save_model(self, request, obj, form, change):
        _save_through_service(self, request, lambda: services.collection_save(actor=request.user, collection=obj))


class ProductAdminForm(forms.ModelForm):
    datasheet_url = forms.URLField(max_length=500, required=False, assume_scheme="https")
    on_hand = forms.IntegerField(
        min_value=0, required=False, help_text="Counted units on the shelf; cannot go below what orders reserve."
    )

    class Meta:
        model = Product
        fields = [
            "sku",
            "slug",
            "name",
            "active",
            "mpn",
            "manufacturer",
            "brand",
            "category",
            "tags",
            "datasheet_url",
            "price",
            "compare_at_price",
            "currency",
            "description",
            "attributes",
            "images",
        ]

    def clean_currency(self):
        currency = (self.cleaned_data.get("currency") or "").upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError("A three-letter ISO code, e.g. INR.")
        return currency

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stock = getattr(self.instance, "stock", None) if self.instance.pk else None
        self.fields["on_hand"].initial = stock.on_hand if stock else 0


class SetStockForm(forms.Form):
    on_hand = forms.IntegerField(min_value=0, label="On hand")
    note = forms.CharField(max_length=255, required=False)


class InStockFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "in_stock"

    def lookups(self, request, model_admin):
        return [("yes", "Available"), ("no", "Sold out")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(stock__on_hand__gt=F("stock__reserved"))
        if self.value() == "no":
            return queryset.exclude(stock__on_hand__gt=F("stock__reserved"))
        return queryset


@admin.register(Product)
class ProductAdmin(LocalTimeAdminMixin, ServiceActionsMixin, ImportExportModelAdmin):
    resource_classes = [ProductResource]
    form = ProductAdminForm
    list_display = ("sku", "name", "category", money_column("price"), "on_hand", "reserved", "active")
    list_filter = ("active", InStockFilter, "currency", "brand", "tags")
    search_fields = ("sku", "name", "mpn", "mpn_normalized", "manufacturer")
    autocomplete_fields = ("brand", "category", "tags")
    list_select_related = ("brand", "category", "stock")
    readonly_fields = ("mpn_normalized", "created_at", "updated_at")
    prepopulated_fields = {"slug": ("name",)}
    actions = ["activate", "deactivate", "set_stock"]
    fieldsets = (
        (None, {"fields": ("sku", "slug", "name", "active")}),
        ("Part", {"fields": ("mpn", "mpn_normalized", "manufacturer", "brand", "category", "tags", "datasheet_url")}),
        ("Price", {"fields": ("price", "compare_at_price", "currency")}),
        ("Stock", {"fields": ("on_hand",)}),
        ("Details", {"fields": ("description", "attributes", "images", "created_at", "updated_at")}),
    )

    @admin.display(ordering="stock__on_hand")
    def on_hand(self, product):
        return product.stock.on_hand if hasattr(product, "stock") else 0

    @admin.display(ordering="stock__reserved")
    def reserved(self, product):
        return product.stock.reserved if hasattr(product, "stock") else 0

    def save_model(self, request, obj, form, change):
        try:
            services.product_save(actor=request.user, product=obj)
            on_hand = form.cleaned_data.get("on_hand")
            if on_hand is not None:
                stock_set_on_hand(product=obj, on_hand=on_hand, actor=request.user, note="admin edit")
        except DomainError as exc:
            self.message_user(request, exc.detail, level=messages.ERROR)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.product_search_refresh(product_ids=[form.instance.pk])

    @admin.action(description="Activate selected products")
    def activate(self, request, queryset):
        changed = services.product_set_active(
            actor=request.user, product_ids=queryset.values_list("id", flat=True), active=True
        )
        self.message_user(request, f"{changed} products activated.")

    @admin.action(description="Deactivate selected products")
    def deactivate(self, request, queryset):
        changed = services.product_set_active(
            actor=request.user, product_ids=queryset.values_list("id", flat=True), active=False
        )
        self.message_user(request, f"{changed} products deactivated.")

    @admin.action(description="Set on-hand stock of selected products")
    def set_stock(self, request, queryset):
        form = SetStockForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            on_hand, note = form.cleaned_data["on_hand"], form.cleaned_data["note"] or "admin bulk set"
            self.run_service(
                request,
                queryset,
                lambda product: stock_set_on_hand(product=product, on_hand=on_hand, actor=request.user, note=note),
                f"products' on-hand stock set to {on_hand}",
            )
            return None
        return TemplateResponse(
            request,
            "admin/store/product/set_stock.html",
            {
                **self.admin_site.each_context(request),
                "title": "Set on-hand stock",
                "form": form,
                "products": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
