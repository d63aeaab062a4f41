"""Notification kinds the makerspace app sends, with their default templates (registered at start-up)."""

from makrx.notifications import register

register(
    "skill.expired",
    subject="Your {{ skill }} training at {{ makerspace }} has expired",
    text=(
        "Hello {{ user_name }},\n\nYour skill {{ skill }} at {{ makerspace }} expired on {{ expired_at }}. "
        "Machines that require it cannot be booked until staff renew it.\n"
    ),
    description="A member's skill grant passed its expiry date.",
)

register(
    "inventory.low_stock",
    subject="{{ count }} item{{ count|pluralize }} at or below the reorder level at {{ makerspace }}",
    text=(
        "Hello {{ user_name }},\n\nThese items at {{ makerspace }} fell to their reorder level:\n\n"
        "{% for item in items %}- {{ item.sku }} {{ item.name }}: {{ item.quantity }} {{ item.unit }} "
        "(reorder level {{ item.reorder_level }}, suggested order {{ item.suggested_reorder_quantity }})\n"
        "{% endfor %}\nYou will hear about an item again only after it has been restocked above its level.\n"
    ),
    description="Items of a makerspace fell to their reorder level (once per crossing), to the space's staff.",
)

register(
    "project.invited",
    subject="{{ invited_by }} invited you to the project {{ project }}",
    text=(
        "Hello {{ user_name }},\n\n{{ invited_by }} invited you to join the project {{ project }} as {{ role }}. "
        "Accept the invitation from the project's page.\n"
    ),
    description="Someone was invited to collaborate on a project.",
)
