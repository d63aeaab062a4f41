"""Cache invalidation only: any saved or deleted catalog row (admin, import, shell) makes cached catalog reads stale."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from treebeard.mp_tree import nodes_deleted, path_updated

from store.catalog_cache import catalog_cache_invalidate
from store.models import Brand, Category, Collection, CollectionProduct, Product, StockLevel, Tag

CATALOG_MODELS = (Brand, Category, Collection, CollectionProduct, Product, StockLevel, Tag)


def _invalidate(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # loaddata
    catalog_cache_invalidate()


def connect() -> None:
    for model in CATALOG_MODELS:
        post_save.connect(_invalidate, sender=model, dispatch_uid=f"store-catalog-save-{model.__name__}")
        post_delete.connect(_invalidate, sender=model, dispatch_uid=f"store-catalog-delete-{model.__name__}")
    m2m_changed.connect(_invalidate, sender=Product.tags.through, dispatch_uid="store-catalog-product-tags")
    # treebeard moves and deletes subtrees with queryset updates (no post_save): the kept tree and counts follow
    # the paths, so a move made outside the services (shell, a migration) must make them stale too.
    path_updated.connect(_invalidate, sender=Category, dispatch_uid="store-catalog-category-paths")
    nodes_deleted.connect(_invalidate, sender=Category, dispatch_uid="store-catalog-category-deleted")
