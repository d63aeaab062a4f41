"""Catalog models: category tree, brands, collections, tags and products."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from treebeard.mp_tree import MP_Node

from makrx.models import TimeStampedModel
from makrx.money import default_currency
from store.partnumbers import normalize_mpn


class Category(MP_Node, TimeStampedModel):
    """A node of the category tree (materialized path: ``path`` prefixes are subtrees)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True, db_index=True)

    node_order_by = ["name"]

    class Meta:
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Brand(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    logo_url = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    active = models.BooleanField(default=True, db_index=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(TimeStampedModel):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Collection(TimeStampedModel):
    """A curated, ordered selection of products (e.g. "Arduino starter parts")."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True, db_index=True)
    position = models.PositiveIntegerField(default=0, help_text="Order of collections in listings.")
    products = models.ManyToManyField("store.Product", through="store.CollectionProduct", related_name="collections")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class CollectionProduct(TimeStampedModel):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="entries")
    product = models.ForeignKey("store.Product", on_delete=models.CASCADE, related_name="collection_entries")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["collection", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "product"], name="store_collection_product_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.collection} #{self.position}: {self.product}"


class Product(TimeStampedModel):
    """A sellable part. Stock lives in the one-to-one ``StockLevel`` (``product.stock``).

    ``search_vector`` is filled by ``store.services.catalog.product_search_refresh`` (no trigger).
    Its GIN index and the trigram GIN indexes on ``sku``/``mpn_normalized`` exist on PostgreSQL only
    and are created by migration ``0002`` (guarded so SQLite still migrates).
    """

    sku = models.CharField(max_length=64, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    name = models.CharField(max_length=255)
    mpn = models.CharField("MPN", max_length=100, blank=True, help_text="Manufacturer part number.")
    mpn_normalized = models.CharField(
        max_length=100, blank=True, db_index=True, editable=False, help_text="MPN uppercased, no spaces or dashes."
    )
    manufacturer = models.CharField(max_length=200, blank=True)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, null=True, blank=True, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, related_name="products")
    tags = models.ManyToManyField(Tag, blank=True, related_name="products")
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    compare_at_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default=default_currency)
    attributes = models.JSONField(default=dict, blank=True)
    images = models.JSONField(default=list, blank=True, help_text="List of image URLs.")
    datasheet_url = models.URLField(max_length=500, blank=True)
    active = models.BooleanField(default=True, db_index=True)
    # Published reviews only; recomputed under this row's lock by ``services.reviews`` (never written elsewhere).
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0.00"), editable=False)
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=Decimal("0")), name="store_product_price_nonnegative"),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gte=Decimal("0")),
                name="store_product_compare_at_nonnegative",
            ),
        ]
        indexes = [
            models.Index(fields=["active", "category"], name="store_product_active_cat_idx"),
            models.Index(fields=["active", "brand"], name="store_product_active_brand_idx"),
            # One index per list ordering (``selectors.catalog.ORDERINGS``), over active products only (the only
            # ones a list shows), with the id tie-breaker: page 1 and keyset pages read 50 index entries instead
            # of sorting every match (docs/store.md, "Speed at 100,000 products"). Price ranges use the price one.
            # They carry the columns the common filters test (INCLUDE, PostgreSQL), so walking one to find a page
            # of, say, a price range needs no table row per skipped entry. A tag's list walks the same indexes of
            # its own listing (``store.product_tag_listing``, PostgreSQL).
            models.Index(
                fields=["name", "id"],
                include=["price", "brand", "category"],
                condition=Q(active=True),
                name="store_product_live_name_idx",
            ),
            models.Index(
                fields=["price", "id"],
                include=["brand", "category"],
                condition=Q(active=True),
                name="store_product_live_price_idx",
            ),
            models.Index(
                fields=["created_at", "id"],
                include=["price", "brand", "category"],
                condition=Q(active=True),
                name="store_product_live_new_idx",
            ),
            models.Index(
                fields=["rating_count", "id"],
                include=["price", "brand", "category"],
                condition=Q(active=True),
                name="store_product_live_popular_idx",
            ),
            # A category's products (a subtree is a few categories) in name order, carrying the other orderings'
            # columns: a subtree page reads its products' index entries, never their table rows (migration 0016).
            models.Index(
                fields=["category", "name", "id"],
                include=["price", "created_at", "rating_count"],
                condition=Q(active=True),
                name="store_product_live_cat_idx",
            ),
            # ``product_get``: a SKU is looked up case-insensitively (``UPPER(sku) = UPPER(%s)``).
            models.Index(Upper("sku"), name="store_product_sku_upper_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    def save(self, *args, **kwargs):
        # A derived column kept next to its source so every write path (admin, import, bulk) agrees.
        self.mpn_normalized = normalize_mpn(self.mpn)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "mpn" in update_fields:
            kwargs["update_fields"] = {*update_fields, "mpn_normalized"}
        super().save(*args, **kwargs)
