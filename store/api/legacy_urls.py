"""Alias paths the earlier store service's single-page app calls (under /api/): the v1 catalog views."""

from django.urls import path

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
]
