"""/api/v1/payments/ routes: provider webhooks and the Razorpay checkout confirmation."""

from django.urls import path

from makrx.payments import views

urlpatterns = [
    path("stripe/webhook", views.StripeWebhookApi.as_view(), name="payments-stripe-webhook"),
    path("razorpay/webhook", views.RazorpayWebhookApi.as_view(), name="payments-razorpay-webhook"),
    path("razorpay/confirm/", views.RazorpayConfirmApi.as_view(), name="payments-razorpay-confirm"),
    # Providers are configured with either spelling; the slash variants stay out of the schema.
    path("stripe/webhook/", views.StripeWebhookApi.as_view(schema=None)),
    path("razorpay/webhook/", views.RazorpayWebhookApi.as_view(schema=None)),
]
