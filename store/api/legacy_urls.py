"""Alias paths the earlier store service's single-page app calls (under /api/): the v1 catalog and BOM views."""

from django.urls import path

from store.api.views import bom as bom_views
from store.api.views import catalog as views

READ_ONLY = {"http_method_names": ["get", "head", "options"]}

urlpatterns = [
    path("enhanced-catalog/catalog/brands", views.BrandListApi.as_view(**READ_ONLY), name="legacy-catalog-brands"),
    path(
        "enhanced-catalog/catalog/collections",
        views.CollectionListApi.as_view(**READ_ONLY),
        name="legacy-catalog-collections",
    ),
    path(
        "enhanced-catalog/catalog/tags/popular",
        views.TagPopularApi.as_view(**READ_ONLY),
        name="legacy-catalog-tags-popular",
    ),
    path(
        "enhanced-catalog/catalog/categories/tree",
        views.CategoryTreeApi.as_view(**READ_ONLY),
        name="legacy-catalog-tree",
    ),
    # BOM import: the earlier shapes are not documented (DESIGN §5.3), so these answer the v1 shapes.
    path("bom-import/import", bom_views.LegacyBomImportApi.as_view(), name="legacy-bom-import"),
    path("bom-import/manual-mapping", bom_views.LegacyBomManualMappingApi.as_view(), name="legacy-bom-manual-mapping"),
]
