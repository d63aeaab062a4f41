"""API routes of the store under /api/v1/store/: catalog, cart, checkout, orders, payments."""

from django.urls import path

from store.api.views import cart, catalog, checkout, orders, payments, quotes, service_orders, uploads

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
    path("checkout/", checkout.CheckoutApi.as_view(), name="store-checkout"),
    path("orders/", orders.OrderListApi.as_view(), name="store-order-list"),
    path("orders/<str:number>/", orders.OrderDetailApi.as_view(), name="store-order-detail"),
    path("orders/<str:number>/cancel/", orders.OrderCancelApi.as_view(), name="store-order-cancel"),
    path("orders/<str:number>/fulfil/", orders.OrderFulfilApi.as_view(), name="store-order-fulfil"),
    path("orders/<str:number>/refund/", orders.OrderRefundApi.as_view(), name="store-order-refund"),
    path("orders/<str:number>/payment/", payments.OrderPaymentCreateApi.as_view(), name="store-order-payment"),
    path("uploads/", uploads.UploadCreateApi.as_view(), name="store-upload-create"),
    path("uploads/presign/", uploads.UploadPresignApi.as_view(), name="store-upload-presign"),
    path("uploads/<int:id>/", uploads.UploadDetailApi.as_view(), name="store-upload-detail"),
    path("uploads/<int:id>/complete/", uploads.UploadCompleteApi.as_view(), name="store-upload-complete"),
    path("materials/", quotes.MaterialListApi.as_view(), name="store-material-list"),
    path("quotes/", quotes.QuoteCreateApi.as_view(), name="store-quote-create"),
    path("quotes/<int:id>/", quotes.QuoteDetailApi.as_view(), name="store-quote-detail"),
    path("service-orders/", service_orders.ServiceOrderListCreateApi.as_view(), name="store-service-order-list"),
    path("service-orders/<int:id>/", service_orders.ServiceOrderDetailApi.as_view(), name="store-service-order-detail"),
    path(
        "service-orders/<int:id>/publish/",
        service_orders.ServiceOrderPublishApi.as_view(),
        name="store-service-order-publish",
    ),
    path("payments/webhook", payments.PaymentWebhookApi.as_view(), name="store-payment-webhook"),
    path("payments/webhook/razorpay", payments.RazorpayWebhookApi.as_view(), name="store-payment-webhook-razorpay"),
    # Providers are configured with either spelling; the slash variants stay out of the schema.
    path("payments/webhook/", payments.PaymentWebhookApi.as_view(schema=None)),
    path("payments/webhook/razorpay/", payments.RazorpayWebhookApi.as_view(schema=None)),
]
