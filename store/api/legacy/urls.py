"""Paths the earlier store front calls under /api/ (DESIGN.md §5 aliases and §5.3), answering its shapes."""

from django.urls import path

from store.api.legacy.views import cart, catalog, checkout, orders
from store.api.views import bom as bom_views
from store.api.views import quotes, service_orders

# The earlier store's BOM and maker-service calls are not in DESIGN.md §5.3: they answer the v1 views' shapes.
POST_ONLY = {"http_method_names": ["post", "options"]}

urlpatterns = [
    path("products", catalog.LegacyProductListApi.as_view(), name="legacy-products"),
    path("products/slug/<str:product_slug>", catalog.LegacyProductBySlugApi.as_view(), name="legacy-product-slug"),
    path("products/<int:product_id>", catalog.LegacyProductByIdApi.as_view(), name="legacy-product-id"),
    path("categories", catalog.LegacyCategoriesApi.as_view(), name="legacy-categories"),
    path("enhanced-catalog/catalog/brands", catalog.LegacyBrandsApi.as_view(), name="legacy-catalog-brands"),
    path(
        "enhanced-catalog/catalog/collections",
        catalog.LegacyCollectionsApi.as_view(),
        name="legacy-catalog-collections",
    ),
    path(
        "enhanced-catalog/catalog/tags/popular",
        catalog.LegacyTagsPopularApi.as_view(),
        name="legacy-catalog-tags-popular",
    ),
    path(
        "enhanced-catalog/catalog/categories/tree",
        catalog.LegacyCategoryTreeApi.as_view(),
        name="legacy-catalog-tree",
    ),
    path(
        "enhanced-catalog/catalog/search/advanced",
        catalog.LegacyAdvancedSearchApi.as_view(),
        name="legacy-catalog-search-advanced",
    ),
    path("cart", cart.LegacyCartApi.as_view(), name="legacy-cart"),
    path("cart/add", cart.LegacyCartAddApi.as_view(), name="legacy-cart-add"),
    path("cart/item/<int:item_id>", cart.LegacyCartItemApi.as_view(), name="legacy-cart-item"),
    path("orders", orders.LegacyOrderListApi.as_view(), name="legacy-orders"),
    path("orders/checkout", checkout.LegacyCheckoutApi.as_view(), name="legacy-checkout"),
    path("orders/<int:order_id>", orders.LegacyOrderDetailApi.as_view(), name="legacy-order"),
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
    path("bom-import/import", bom_views.LegacyBomImportApi.as_view(), name="legacy-bom-import"),
    path("bom-import/manual-mapping", bom_views.LegacyBomManualMappingApi.as_view(), name="legacy-bom-manual-mapping"),
]
