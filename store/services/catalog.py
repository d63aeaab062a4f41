"""Catalog writes (store staff): products, categories, brands, collections, tags; search vectors; cache invalidation."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.utils.text import slugify

from makrx.errors import ConflictError, NotFound, ValidationError
from store.catalog_cache import catalog_cache_invalidate
from store.models import Brand, Category, Collection, CollectionProduct, Product, StockLevel, Tag
from store.services import require_store_staff

PRODUCT_WRITABLE_FIELDS = (  # what product_create/product_update accept (the JSON form: product_json.PRODUCT_FIELDS)
    "sku",
    "slug",
    "name",
    "mpn",
    "manufacturer",
    "brand",
    "category",
    "description",
    "price",
    "compare_at_price",
    "currency",
    "attributes",
    "images",
    "datasheet_url",
    "active",
)


def product_search_vector():
    """The weighted document a product is found by: name and part numbers first, then maker, then text."""
    return (
        SearchVector("name", weight="A", config="english")
        + SearchVector("sku", "mpn", "mpn_normalized", weight="A", config="simple")
        + SearchVector("manufacturer", weight="B", config="simple")
        + SearchVector("description", weight="C", config="english")
    )


def product_search_refresh(*, product_ids=None) -> int:
    """Recompute ``search_vector`` for these products (all when None). PostgreSQL only; a no-op elsewhere."""
    if connection.vendor != "postgresql":
        return 0
    queryset = Product.objects.all() if product_ids is None else Product.objects.filter(id__in=list(product_ids))
    return queryset.update(search_vector=product_search_vector())


def unique_slug(model, base: str, *, exclude_pk=None, max_length: int = 200) -> str:
    """A free slug from ``base``: ``name``, then ``name-2``, ``name-3``..."""
    base = (slugify(base) or model._meta.model_name)[: max_length - 8]
    slug, n = base, 1
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_unique(model, *, field: str, value, exclude_pk=None, label: str) -> None:
    if model.objects.filter(**{field: value}).exclude(pk=exclude_pk).exists():
        raise ConflictError(f"A {label} with {field} {value!r} already exists.", code="duplicate")


def _validate_product(product: Product) -> None:
    errors: dict[str, list[str]] = {}
    if product.price is None or product.price < 0:
        errors["price"] = ["Must be zero or more."]
    if product.compare_at_price is not None and product.compare_at_price < 0:
        errors["compare_at_price"] = ["Must be zero or more."]
    if not isinstance(product.attributes, dict):
        errors["attributes"] = ["Must be an object."]
    if not isinstance(product.images, list) or not all(isinstance(url, str) for url in product.images):
        errors["images"] = ["Must be a list of URLs."]
    if not product.currency or len(product.currency) != 3 or not product.currency.isalpha():
        errors["currency"] = ["Must be a three-letter ISO code."]
    if errors:
        raise ValidationError("Invalid product.", errors=errors)


@transaction.atomic
def product_save(*, actor, product: Product, tags: list[Tag] | None = None, on_hand: int | None = None) -> Product:
    """Validate and save a (new or changed) product: unique SKU/slug (409 ``duplicate``), a slug when missing,
    its stock row, tags when given, a fresh search vector, and a catalog cache bump after commit."""
    require_store_staff(actor, action="change products")
    if on_hand is not None and on_hand < 0:
        raise ValidationError("Stock cannot be negative.", errors={"on_hand": ["Must be zero or more."]})
    product.currency = (product.currency or "").upper()
    _check_unique(Product, field="sku", value=product.sku, exclude_pk=product.pk, label="product")
    if product.slug:
        _check_unique(Product, field="slug", value=product.slug, exclude_pk=product.pk, label="product")
    else:
        product.slug = unique_slug(Product, f"{product.name}-{product.sku}", exclude_pk=product.pk)
    _validate_product(product)
    product.save()
    StockLevel.objects.get_or_create(product=product, defaults={"on_hand": on_hand or 0})
    if tags is not None:
        product.tags.set(tags)
    product_search_refresh(product_ids=[product.pk])
    catalog_cache_invalidate()
    return product


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(PRODUCT_WRITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown product fields: {', '.join(sorted(unknown))}.")


def product_create(*, actor, tags: list[Tag] | None = None, on_hand: int = 0, **fields: Any) -> Product:
    """Create a product with its stock row (``on_hand`` units)."""
    require_store_staff(actor, action="add products")
    _check_fields(fields)
    return product_save(actor=actor, product=Product(**fields), tags=tags, on_hand=on_hand)


@transaction.atomic
def product_update(*, actor, product: Product, tags: list[Tag] | None = None, **fields: Any) -> Product:
    """Change a product's fields (and its tags when given)."""
    require_store_staff(actor, action="change products")
    _check_fields(fields)
    product = Product.objects.select_for_update().get(pk=product.pk)
    for name, value in fields.items():
        setattr(product, name, value)
    return product_save(actor=actor, product=product, tags=tags)


def product_set_active(*, actor, product_ids, active: bool) -> int:
    """Activate or deactivate products in bulk (admin action)."""
    require_store_staff(actor, action="activate or deactivate products")
    with transaction.atomic():
        changed = Product.objects.filter(id__in=list(product_ids)).exclude(active=active).update(active=active)
        catalog_cache_invalidate()
    return changed


@transaction.atomic
def category_create(*, actor, name: str, slug: str = "", parent: Category | None = None, **fields: Any) -> Category:
    """Add a category under ``parent`` (a root when None); siblings stay sorted by name."""
    require_store_staff(actor, action="add categories")
    slug = slug or unique_slug(Category, name)
    _check_unique(Category, field="slug", value=slug, label="category")
    instance = Category(name=name, slug=slug, **fields)
    if parent is None:
        category = Category.objects.add_root(instance=instance)
    else:
        category = Category.objects.add_child(parent, instance=instance)
    catalog_cache_invalidate()
    return category


@transaction.atomic
def category_update(
    *, actor, category: Category, parent: Category | None = None, move: bool = False, **fields
) -> Category:
    """Rename/describe/(de)activate a category; with ``move`` re-parent it (``parent=None``: make it a root)."""
    require_store_staff(actor, action="change categories")
    if "slug" in fields:
        _check_unique(Category, field="slug", value=fields["slug"], exclude_pk=category.pk, label="category")
    for name, value in fields.items():
        setattr(category, name, value)
    category.save()
    if move:
        if parent is not None and (parent.pk == category.pk or parent.path.startswith(category.path)):
            raise ValidationError("A category cannot move under itself.", errors={"parent": ["Would create a cycle."]})
        if parent is None:
            root = Category.objects.get_first_root_node()
            Category.objects.move(category, root, pos="sorted-sibling")
        else:
            Category.objects.move(category, parent, pos="sorted-child")
        category = Category.objects.get(pk=category.pk)
    catalog_cache_invalidate()
    return category


def _simple_save(model, *, instance=None, label: str, **fields):
    instance = instance or model()
    if "slug" in fields and fields["slug"]:
        _check_unique(model, field="slug", value=fields["slug"], exclude_pk=instance.pk, label=label)
    if "name" in fields and model in (Brand, Tag):
        _check_unique(model, field="name", value=fields["name"], exclude_pk=instance.pk, label=label)
    for name, value in fields.items():
        setattr(instance, name, value)
    if not instance.slug:
        instance.slug = unique_slug(model, instance.name, exclude_pk=instance.pk)
    instance.save()
    catalog_cache_invalidate()
    return instance


@transaction.atomic
def brand_save(*, actor, brand: Brand | None = None, **fields: Any) -> Brand:
    """Create (no ``brand``) or update a brand; names and slugs are unique."""
    require_store_staff(actor, action="change brands")
    return _simple_save(Brand, instance=brand, label="brand", **fields)


@transaction.atomic
def tag_save(*, actor, tag: Tag | None = None, **fields: Any) -> Tag:
    """Create (no ``tag``) or update a tag; names and slugs are unique."""
    require_store_staff(actor, action="change tags")
    return _simple_save(Tag, instance=tag, label="tag", **fields)


@transaction.atomic
def collection_save(
    *, actor, collection: Collection | None = None, product_ids: list[int] | None = None, **fields: Any
) -> Collection:
    """Create or update a collection; ``product_ids`` (when given) replaces its products in that order."""
    require_store_staff(actor, action="change collections")
    collection = _simple_save(Collection, instance=collection, label="collection", **fields)
    if product_ids is not None:
        if len(set(product_ids)) != len(product_ids):
            raise ValidationError("A product appears twice.", errors={"products": ["Duplicate product."]})
        found = set(Product.objects.filter(id__in=product_ids).values_list("id", flat=True))
        missing = [pid for pid in product_ids if pid not in found]
        if missing:
            raise NotFound(f"Unknown products: {missing}.", code="unknown_product")
        CollectionProduct.objects.filter(collection=collection).delete()
        CollectionProduct.objects.bulk_create(
            CollectionProduct(collection=collection, product_id=pid, position=position)
            for position, pid in enumerate(product_ids)
        )
    return collection
