"""CSV/XLSX import and export of products (django-import-export), keyed by SKU."""

from __future__ import annotations

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget, ManyToManyWidget

from store.models import Brand, Category, Product, StockLevel, Tag
from store.services.catalog import product_search_refresh, unique_slug


class ProductResource(resources.ModelResource):
    """Columns: sku (the key), name, slug, mpn, manufacturer, brand/category/tags by slug, prices, on_hand."""

    brand = fields.Field(attribute="brand", column_name="brand", widget=ForeignKeyWidget(Brand, field="slug"))
    category = fields.Field(
        attribute="category", column_name="category", widget=ForeignKeyWidget(Category, field="slug")
    )
    tags = fields.Field(attribute="tags", column_name="tags", widget=ManyToManyWidget(Tag, field="slug", separator="|"))
    on_hand = fields.Field(column_name="on_hand", readonly=True, dehydrate_method="dehydrate_on_hand")

    class Meta:
        model = Product
        import_id_fields = ("sku",)
        fields = (
            "sku",
            "slug",
            "name",
            "mpn",
            "manufacturer",
            "brand",
            "category",
            "tags",
            "description",
            "price",
            "compare_at_price",
            "currency",
            "datasheet_url",
            "active",
            "on_hand",
        )
        export_order = fields
        skip_unchanged = True
        report_skipped = False
        use_transactions = True

    def get_export_queryset(self, request=None):
        return (
            super().get_export_queryset(request).select_related("brand", "category", "stock").prefetch_related("tags")
        )

    def dehydrate_on_hand(self, product: Product) -> int:
        stock = getattr(product, "stock", None)
        return stock.on_hand if stock else 0

    def before_save_instance(self, instance, row, **kwargs):
        if not instance.slug:
            instance.slug = unique_slug(Product, f"{instance.name}-{instance.sku}", exclude_pk=instance.pk)
        instance.currency = (instance.currency or "").upper() or instance._meta.get_field("currency").get_default()

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            StockLevel.objects.get_or_create(product=instance)

    def after_import(self, dataset, result, **kwargs):
        if not kwargs.get("dry_run"):
            product_search_refresh(product_ids=[row.object_id for row in result.valid_rows() if row.object_id])
