"""Alias paths the earlier store service's single-page app calls (under /api/): the v1 catalog views."""

from django.urls import path

from store.api.views import catalog as views
from store.api.views import quotes, service_orders

READ_ONLY = {"http_method_names": ["get", "head", "options"]}
POST_ONLY = {"http_method_names": ["post", "options"]}

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
    # Maker services of the earlier store: the v1 views and shapes.
    path("complete_flows/quote", quotes.QuoteCreateApi.as_view(**POST_ONLY), name="legacy-quote"),
    path(
        "complete_flows/service-orders/from-quote",
        service_orders.ServiceOrderListCreateApi.as_view(**POST_ONLY),
        name="legacy-service-order-from-quote",
    ),
    path(
        "complete_flows/service-orders/<int:id>/publish-to-cave",
        service_orders.ServiceOrderPublishApi.as_view(**POST_ONLY),
        name="legacy-service-order-publish",
    ),
]
