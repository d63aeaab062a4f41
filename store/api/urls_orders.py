"""Routes for cart, checkout, orders and payments under /api/v1/store/."""

from django.urls import path

from store.api import views_orders as views

urlpatterns = [
    path("cart/", views.CartApi.as_view(), name="store-cart"),
    path("cart/items/", views.CartItemCreateApi.as_view(), name="store-cart-items"),
    path("cart/items/<int:item_id>/", views.CartItemDetailApi.as_view(), name="store-cart-item"),
    path("checkout/", views.CheckoutApi.as_view(), name="store-checkout"),
    path("orders/", views.OrderListApi.as_view(), name="store-order-list"),
    path("orders/<str:number>/", views.OrderDetailApi.as_view(), name="store-order-detail"),
    path("orders/<str:number>/cancel/", views.OrderCancelApi.as_view(), name="store-order-cancel"),
    path("orders/<str:number>/fulfil/", views.OrderFulfilApi.as_view(), name="store-order-fulfil"),
    path("orders/<str:number>/refund/", views.OrderRefundApi.as_view(), name="store-order-refund"),
    path("orders/<str:number>/payment/", views.OrderPaymentCreateApi.as_view(), name="store-order-payment"),
    path("payments/webhook", views.PaymentWebhookApi.as_view(), name="store-payment-webhook"),
    path("payments/webhook/razorpay", views.RazorpayWebhookApi.as_view(), name="store-payment-webhook-razorpay"),
    # Providers are configured with either spelling; the slash variants stay out of the schema.
    path("payments/webhook/", views.PaymentWebhookApi.as_view(schema=None)),
    path("payments/webhook/razorpay/", views.RazorpayWebhookApi.as_view(schema=None)),
]
