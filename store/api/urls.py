"""API routes of the store under /api/v1/store/ (catalog here; cart, checkout, orders, payments included below)."""

from django.urls import include, path

from store.api import views

urlpatterns = [
    path("categories/", views.CategoryTreeApi.as_view(), name="store-category-tree"),
    path("categories/<int:category_id>/", views.CategoryDetailApi.as_view(), name="store-category-detail"),
    path("brands/", views.BrandListApi.as_view(), name="store-brand-list"),
    path("brands/<slug:slug>/", views.BrandDetailApi.as_view(), name="store-brand-detail"),
    path("collections/", views.CollectionListApi.as_view(), name="store-collection-list"),
    path("collections/<slug:slug>/", views.CollectionDetailApi.as_view(), name="store-collection-detail"),
    path("tags/", views.TagListApi.as_view(), name="store-tag-list"),
    path("tags/popular/", views.TagPopularApi.as_view(), name="store-tag-popular"),
    path("products/", views.ProductListApi.as_view(), name="store-product-list"),
    path("products/<str:lookup>/", views.ProductDetailApi.as_view(), name="store-product-detail"),
    path("products/<str:lookup>/stock/", views.ProductStockApi.as_view(), name="store-product-stock"),
    path("", include("store.api.urls_orders")),
]
