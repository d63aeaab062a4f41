"""Notification kinds the store app sends, with their default templates (registered at start-up)."""

from makrx.notifications import register

register(
    "review.published",
    subject="Your review of {{ product }} is published",
    text="Hello {{ user_name }},\n\nThank you: your {{ rating }}-star review of {{ product }} is now on the store.\n",
    description="Store staff published a customer's product review.",
)
register(
    "review.rejected",
    subject="Your review of {{ product }} was not published",
    text=(
        "Hello {{ user_name }},\n\nYour review of {{ product }} was not published."
        "{% if note %}\n\nThe store's note: {{ note }}{% endif %}\n"
    ),
    description="Store staff rejected (or took down) a customer's product review.",
)
register(
    "order.paid",
    subject="Payment received for order {{ order }}",
    text=(
        "Hello {{ user_name }},\n\nWe received {{ total }} {{ currency }} for your order {{ order }}. "
        "Thank you: it is paid and on its way to being fulfilled.\n"
    ),
    description="An order was paid (online through Stripe or Razorpay, or recorded by store staff).",
)
