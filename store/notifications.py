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
register(
    "service_order.status_changed",
    subject="Your maker service order SO-{{ service_order }}: {{ status_label }}",
    text=(
        'Hello {{ user_name }},\n\nYour order "{{ title }}" (store order {{ order }}) is now: {{ status_label }}.'
        "{% if note %}\n\nFrom the makerspace: {{ note }}{% endif %}\n"
    ),
    description="The makerspace making a customer's service order reported progress (through the bridge).",
    sample={
        "service_order": 1,
        "order": "MX-2026-00001",
        "title": "3D printing: part.stl x 1 (PLA)",
        "status": "in_production",
        "status_label": "In production",
        "note": "",
    },
)
