"""Catalog request/response shapes (no business rules here)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from store.models import Brand, Category, Collection, Product, Tag
from store.selectors.catalog import ORDERINGS
from store.selectors.product_json import PRODUCT_KEYS, product_data, product_row

MAX_DB_INT = 2_000_000_000


class BrandRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Brand
        fields = ["id", "name", "slug"]


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "slug"]


class ProductSerializer(serializers.ModelSerializer):
    brand = BrandRefSerializer(read_only=True, allow_null=True)
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    tags = TagSerializer(many=True, read_only=True)
    # Not a URL field in the schema: an empty string means "no datasheet".
    datasheet_url = serializers.CharField(read_only=True, help_text="A URL, or empty when there is none.")
    # Computed by the product definition (on hand minus reserved); declared here for the schema only.
    stock_available = serializers.IntegerField(read_only=True)
    in_stock = serializers.BooleanField(read_only=True)

    class Meta:
        model = Product
        # The keys of the one product definition, in its order (selectors.product_json.PRODUCT_FIELDS).
        fields = list(PRODUCT_KEYS)
        read_only_fields = fields

    def to_representation(self, product: Product) -> dict:
        # The declared fields document the schema; the values come from the one product definition
        # (``selectors.product_json.PRODUCT_FIELDS``) that the list page's SQL is generated from too.
        return product_data(product_row(product))


class ProductListQuerySerializer(serializers.Serializer):
    category = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Category id or slug (whole subtree)."
    )
    brand = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="Brand id or slug.")
    tag = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="Tag id or slug.")
    collection = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Collection id or slug."
    )
    min_price = serializers.DecimalField(required=False, max_digits=12, decimal_places=2, min_value=0)
    max_price = serializers.DecimalField(required=False, max_digits=12, decimal_places=2, min_value=0)
    in_stock = serializers.BooleanField(required=False, allow_null=True, default=None)
    search = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Text, SKU or part number."
    )
    ordering = serializers.ChoiceField(required=False, choices=sorted(ORDERINGS))
    cursor = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Keyset pagination: empty (or `start`) for the first page, then the `cursor` of the `next` link. "
        "Pages stay as fast at any depth and never skip or repeat a product while the catalog changes. "
        "Not with a ranked search or a collection's curated order (give an `ordering`).",
    )

    def validate(self, attrs):
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"max_price": ["Must not be below min_price."]})
        return attrs


class ProductWriteSerializer(serializers.Serializer):
    """Staff input for creating (all required fields) or patching (any subset) a product."""

    sku = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9._\-]*$", max_length=64)
    slug = serializers.SlugField(max_length=200, required=False)
    name = serializers.CharField(max_length=255)
    mpn = serializers.CharField(max_length=100, required=False, allow_blank=True)
    manufacturer = serializers.CharField(max_length=200, required=False, allow_blank=True)
    brand = serializers.PrimaryKeyRelatedField(queryset=Brand.objects.all(), required=False, allow_null=True)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    tags = serializers.SlugRelatedField(slug_field="slug", queryset=Tag.objects.all(), many=True, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    compare_at_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False)
    attributes = serializers.DictField(required=False)
    images = serializers.ListField(child=serializers.URLField(max_length=500), required=False, max_length=20)
    datasheet_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)
    on_hand = serializers.IntegerField(min_value=0, max_value=MAX_DB_INT, required=False, help_text="Create only.")

    def validate(self, attrs):
        if "currency" in attrs:
            attrs["currency"] = attrs["currency"].upper()
        elif not self.partial:
            attrs["currency"] = settings.DEFAULT_CURRENCY
        if self.partial and "on_hand" in attrs:
            raise serializers.ValidationError({"on_hand": ["Use POST /products/{slug}/stock/ to change stock."]})
        return attrs


class StockInputSerializer(serializers.Serializer):
    on_hand = serializers.IntegerField(min_value=0, max_value=MAX_DB_INT)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class StockOutputSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product_id")
    on_hand = serializers.IntegerField()
    reserved = serializers.IntegerField()
    available = serializers.IntegerField()


@extend_schema_field(
    {"type": "array", "items": {"$ref": "#/components/schemas/CategoryNode"}, "description": "Child categories."}
)
class _CategoryChildrenField(serializers.ListField):
    pass


class CategoryNodeSerializer(serializers.Serializer):
    """One node of the category tree; documents the nested shape the tree endpoint returns."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    depth = serializers.IntegerField()
    parent = serializers.IntegerField(allow_null=True)
    product_count = serializers.IntegerField(
        required=False, help_text="Active products here and in every descendant (with include_product_counts)."
    )
    children = _CategoryChildrenField()


class CategoryTreeQuerySerializer(serializers.Serializer):
    include_product_counts = serializers.BooleanField(required=False, default=False)


class CategoryWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    active = serializers.BooleanField(required=False)
    parent = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description", "active", "depth", "path", "parent"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))  # null for a root category
    def get_parent(self, category: Category) -> int | None:
        if category.depth <= 1:
            return None
        return Category.objects.filter(path=category.path[: -Category.steplen]).values_list("id", flat=True).first()


class BrandSerializer(serializers.ModelSerializer):
    """Output only. ``products`` is not read-only so that the schema does not list it as always present."""

    product_count = serializers.SerializerMethodField()
    # Not URL fields in the schema: an empty string means "none".
    logo_url = serializers.CharField(read_only=True, help_text="A URL, or empty.")
    website = serializers.CharField(read_only=True, help_text="A URL, or empty.")
    products = ProductSerializer(
        many=True, source="listed_products", required=False, help_text="With include_products=true."
    )

    def get_product_count(self, brand: Brand) -> int:
        # Lists annotate it; a brand just created or edited is counted here (one query).
        count = getattr(brand, "product_count", None)
        return brand.products.filter(active=True).count() if count is None else count

    class Meta:
        model = Brand
        fields = ["id", "name", "slug", "logo_url", "description", "website", "product_count", "products"]


class BrandListQuerySerializer(serializers.Serializer):
    include_products = serializers.BooleanField(required=False, default=False)
    products_limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)


class BrandWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=200, required=False)
    logo_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    website = serializers.URLField(max_length=500, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class CollectionSerializer(serializers.ModelSerializer):
    product_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Collection
        fields = ["id", "name", "slug", "description", "position", "product_count"]


class CollectionWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    active = serializers.BooleanField(required=False)
    position = serializers.IntegerField(required=False, min_value=0, max_value=MAX_DB_INT)
    products = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=1000, help_text="Product ids, in order."
    )


class TagCountSerializer(serializers.ModelSerializer):
    product_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Tag
        fields = ["id", "name", "slug", "product_count"]


class TagPopularQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=10)


class TagWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=100, required=False)
