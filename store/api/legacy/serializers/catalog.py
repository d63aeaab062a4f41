"""The earlier store front's catalog shapes (DESIGN.md §5.3 #1-#5), derived from the one product definition.

A legacy product is computed from ``selectors.product_json.product_data`` (the v1 product), never from the
model or the database a second way: ``legacy_product`` only renames and reshapes its keys.
"""

from __future__ import annotations

import math
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from store.selectors.catalog import ORDERINGS

MAX_DB_INT = 2_000_000_000
MAX_SKIP = 1_000_000
MAX_PAGE = 1_000_000
DEFAULT_PER_PAGE = 20
SHORT_DESCRIPTION_CHARS = 160
# Part identity shown as the earlier app's "specifications" (the v1 ``attributes`` stay ``attributes``).
SPECIFICATION_KEYS = ("mpn", "manufacturer", "datasheet_url")
# The earlier app's sort names (advanced search) onto v1 orderings; "relevance" is v1's default with a query.
SORTS = {
    "relevance": None,
    "name": "name",
    "name_desc": "-name",
    "price_asc": "price",
    "price_desc": "-price",
    "newest": "-created_at",
    "oldest": "created_at",
    **{key: key for key in ORDERINGS},
}


def _short(description: str) -> str:
    first = (description or "").strip().split("\n", 1)[0].strip()
    if len(first) <= SHORT_DESCRIPTION_CHARS:
        return first
    cut = first[: SHORT_DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0]
    return cut + "…"


def legacy_product(data: dict) -> dict:
    """A v1 product (``product_json.product_data``) in the earlier shape.

    Money: v1 ``price`` is what is charged; ``compare_at_price`` above it is the former price. The earlier app
    reads ``price`` as the list price and ``sale_price`` as the reduced one, so a product on sale answers
    ``price`` = compare-at, ``sale_price`` = v1 price; ``effective_price`` is always the v1 price.
    """
    price, compare_at = data["price"], data["compare_at_price"]
    on_sale = compare_at is not None and Decimal(compare_at) > Decimal(price)
    images = data["images"] if isinstance(data["images"], list) else []
    attributes = data["attributes"] if isinstance(data["attributes"], dict) else {}
    return {
        "id": data["id"],
        "slug": data["slug"],
        "name": data["name"],
        "description": data["description"],
        "short_description": _short(data["description"]),
        "brand": data["brand"]["name"] if data["brand"] else None,
        "sku": data["sku"],
        "category_id": data["category"]["id"] if data["category"] else None,
        "category": data["category"],
        "price": compare_at if on_sale else price,
        "sale_price": price if on_sale else None,
        "effective_price": price,
        "currency": data["currency"],
        "stock_qty": data["stock_available"],
        "in_stock": data["in_stock"],
        "images": [image for image in images if isinstance(image, str)],
        "tags": [tag["name"] for tag in data["tags"]],
        "attributes": attributes,
        "specifications": {key: data[key] for key in SPECIFICATION_KEYS if data[key]},
        # Published reviews only (store/services/reviews.py keeps both on the product row).
        "rating": {"average": float(data["rating_average"] or 0), "count": data["rating_count"]},
    }


class LegacyCategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class LegacyRatingSerializer(serializers.Serializer):
    average = serializers.FloatField()
    count = serializers.IntegerField()


class LegacyProductSerializer(serializers.Serializer):
    """Documents ``legacy_product``; its output is ``legacy_product`` of a v1 product's data."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    short_description = serializers.CharField()
    brand = serializers.CharField(allow_null=True, help_text="The brand's name.")
    sku = serializers.CharField()
    category_id = serializers.IntegerField(allow_null=True)
    category = LegacyCategoryRefSerializer(allow_null=True)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="List price (compare-at on sale).")
    sale_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    effective_price = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="What is charged.")
    currency = serializers.CharField()
    stock_qty = serializers.IntegerField(help_text="Available: on hand minus reserved.")
    in_stock = serializers.BooleanField()
    images = serializers.ListField(child=serializers.CharField())
    tags = serializers.ListField(child=serializers.CharField(), help_text="Tag names.")
    attributes = serializers.DictField()
    specifications = serializers.DictField()
    rating = LegacyRatingSerializer()

    def to_representation(self, data: dict) -> dict:
        return legacy_product(data)


class LegacyProductPageSerializer(serializers.Serializer):
    products = LegacyProductSerializer(many=True)
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    pages = serializers.IntegerField()


def product_page(*, products: list[dict], total: int, offset: int, per_page: int) -> dict:
    """The earlier list envelope around v1 product data; ``page`` is the page ``offset`` falls in."""
    return {
        "products": [legacy_product(data) for data in products],
        "total": total,
        "page": offset // per_page + 1,
        "per_page": per_page,
        "pages": math.ceil(total / per_page),
    }


class LegacyProductListQuerySerializer(serializers.Serializer):
    """``skip``/``limit`` as the product grid sends them; ``page``/``per_page`` (the app's other pagers) are
    accepted too and used when ``skip`` is absent. Validated to ``skip`` and ``limit``."""

    skip = serializers.IntegerField(required=False, min_value=0, max_value=MAX_SKIP)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100)
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)
    per_page = serializers.IntegerField(required=False, min_value=1, max_value=100)
    category_id = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_DB_INT, help_text="The category and its whole subtree."
    )
    brand = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="Brand id or slug.")
    search = serializers.CharField(required=False, allow_blank=True, max_length=200)
    in_stock = serializers.BooleanField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        page, per_page = attrs.pop("page", None), attrs.pop("per_page", None)
        attrs["limit"] = attrs.get("limit") or per_page or DEFAULT_PER_PAGE
        if "skip" not in attrs:
            attrs["skip"] = (page - 1) * attrs["limit"] if page else 0
        if attrs["skip"] > MAX_SKIP:
            raise serializers.ValidationError({"page": [f"Beyond the last reachable page (skip over {MAX_SKIP})."]})
        return attrs


class LegacySearchFiltersSerializer(serializers.Serializer):
    category_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_DB_INT)
    brand = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=200)
    tag = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=100)
    min_price = serializers.DecimalField(required=False, allow_null=True, max_digits=12, decimal_places=2, min_value=0)
    max_price = serializers.DecimalField(required=False, allow_null=True, max_digits=12, decimal_places=2, min_value=0)
    in_stock = serializers.BooleanField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"max_price": ["Must not be below min_price."]})
        return attrs


class LegacySearchInputSerializer(serializers.Serializer):
    query = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="", max_length=200)
    filters = LegacySearchFiltersSerializer(required=False, allow_null=True, default=None)
    sort = serializers.ChoiceField(choices=sorted(SORTS), required=False, allow_null=True, default=None)
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=MAX_PAGE)
    per_page = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)


class LegacySearchOutputSerializer(LegacyProductPageSerializer):
    pass


class LegacyCategoryNodeSerializer(serializers.Serializer):
    """One node of the earlier category tree: ``path`` is the slugs from the root, ``/``-joined."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    path = serializers.CharField()
    description = serializers.CharField()
    image_url = serializers.CharField(allow_null=True)
    parent_id = serializers.IntegerField(allow_null=True)
    product_count = serializers.IntegerField(help_text="Active products here and in every descendant.")
    children = serializers.SerializerMethodField()

    @extend_schema_field(
        {"type": "array", "items": {"$ref": "#/components/schemas/LegacyCategoryNode"}, "description": "Children."}
    )
    def get_children(self, node) -> list:  # pragma: no cover - documentation only; legacy_category renders
        return []


def legacy_category(node, *, parent_path: str = "") -> dict:
    """A ``selectors.catalog.CategoryNode`` (with counts) and its subtree in the earlier shape."""
    path = f"{parent_path}/{node.slug}" if parent_path else node.slug
    return {
        "id": node.id,
        "name": node.name,
        "slug": node.slug,
        "path": path,
        "description": node.description,
        "image_url": None,  # MakrX categories carry no image
        "parent_id": node.parent_id,
        "product_count": node.product_count or 0,
        "children": [legacy_category(child, parent_path=path) for child in node.children],
    }


class LegacyCategoriesSerializer(serializers.Serializer):
    categories = LegacyCategoryNodeSerializer(many=True)


class LegacyCategoryTreeQuerySerializer(serializers.Serializer):
    include_product_counts = serializers.BooleanField(
        required=False, default=True, help_text="Accepted for the earlier app; counts are always included."
    )


class LegacyBrandSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    logo_url = serializers.CharField()
    description = serializers.CharField()
    website = serializers.CharField()
    product_count = serializers.IntegerField()
    products = LegacyProductSerializer(many=True, required=False, help_text="With include_products=true.")


def legacy_brand(brand, *, products: list[dict] | None) -> dict:
    data = {
        "id": brand.id,
        "name": brand.name,
        "slug": brand.slug,
        "logo_url": brand.logo_url,
        "description": brand.description,
        "website": brand.website,
        "product_count": brand.product_count,
    }
    if products is not None:
        data["products"] = [legacy_product(product) for product in products]
    return data


class LegacyBrandsSerializer(serializers.Serializer):
    brands = LegacyBrandSerializer(many=True)


class LegacyBrandListQuerySerializer(serializers.Serializer):
    include_products = serializers.BooleanField(required=False, default=False)
    products_limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)


class LegacyCollectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    position = serializers.IntegerField()
    product_count = serializers.IntegerField()


class LegacyCollectionsSerializer(serializers.Serializer):
    collections = LegacyCollectionSerializer(many=True)


class LegacyTagsSerializer(serializers.Serializer):
    tags = serializers.ListField(child=serializers.CharField(), help_text="Tag names, most used first.")


class LegacyTagPopularQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=10)
