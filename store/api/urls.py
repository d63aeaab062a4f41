"""API routes of the store under /api/v1/store/: catalog, cart, checkout, orders, payments, BOM imports."""

from django.urls import path

from store.api.views import bom, cart, catalog, checkout, orders, payments

urlpatterns = [
    path("categories/", catalog.CategoryTreeApi.as_view(), name="store-category-tree"),
    path("categories/<int:category_id>/", catalog.CategoryDetailApi.as_view(), name="store-category-detail"),
    path("brands/", catalog.BrandListApi.as_view(), name="store-brand-list"),
    path("brands/<slug:slug>/", catalog.BrandDetailApi.as_view(), name="store-brand-detail"),
    path("collections/", catalog.CollectionListApi.as_view(), name="store-collection-list"),
    path("collections/<slug:slug>/", catalog.CollectionDetailApi.as_view(), name="store-collection-detail"),
    path("tags/", catalog.TagListApi.as_view(), name="store-tag-list"),
    path("tags/popular/", catalog.TagPopularApi.as_view(), name="store-tag-popular"),
    path("products/", catalog.ProductListApi.as_view(), name="store-product-list"),
    path("products/<str:lookup>/", catalog.ProductDetailApi.as_view(), name="store-product-detail"),
    path("products/<str:lookup>/stock/", catalog.ProductStockApi.as_view(), name="store-product-stock"),
    path("cart/", cart.CartApi.as_view(), name="store-cart"),
    path("cart/items/", cart.CartItemCreateApi.as_view(), name="store-cart-items"),
    path("cart/items/<int:item_id>/", cart.CartItemDetailApi.as_view(), name="store-cart-item"),
    path("bom-imports/", bom.BomImportListApi.as_view(), name="store-bom-import-list"),
    path("bom-imports/<int:id>/", bom.BomImportDetailApi.as_view(), name="store-bom-import-detail"),
    path("bom-imports/<int:id>/lines/<int:line>/map/", bom.BomLineMapApi.as_view(), name="store-bom-line-map"),
    path("bom-imports/<int:id>/add-to-cart/", bom.BomAddToCartApi.as_view(), name="store-bom-add-to-cart"),
    path("checkout/", checkout.CheckoutApi.as_view(), name="store-checkout"),
    path("orders/", orders.OrderListApi.as_view(), name="store-order-list"),
    path("orders/<str:number>/", orders.OrderDetailApi.as_view(), name="store-order-detail"),
    path("orders/<str:number>/cancel/", orders.OrderCancelApi.as_view(), name="store-order-cancel"),
    path("orders/<str:number>/fulfil/", orders.OrderFulfilApi.as_view(), name="store-order-fulfil"),
    path("orders/<str:number>/refund/", orders.OrderRefundApi.as_view(), name="store-order-refund"),
    path("orders/<str:number>/payment/", payments.OrderPaymentCreateApi.as_view(), name="store-order-payment"),
    path("payments/webhook", payments.PaymentWebhookApi.as_view(), name="store-payment-webhook"),
    path("payments/webhook/razorpay", payments.RazorpayWebhookApi.as_view(), name="store-payment-webhook-razorpay"),
    # Providers are configured with either spelling; the slash variants stay out of the schema.
    path("payments/webhook/", payments.PaymentWebhookApi.as_view(schema=None)),
    path("payments/webhook/razorpay/", payments.RazorpayWebhookApi.as_view(schema=None)),
]
