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
    sample={"skill": "Laser cutter basics", "makerspace": "Bengaluru Makers", "expired_at": "2026-03-01"},
)

register(
    "membership.invited",
    subject="You are invited to join {{ makerspace }}",
    text=(
        "Hello,\n\n{{ invited_by }} invites you to join {{ makerspace }} as {{ role }}"
        "{% if plan %} on the {{ plan }} plan{% endif %}.\n\n"
        "Accept the invitation here (sign in or create an account first):\n{{ accept_url }}\n\n"
        "The link works once and expires on {{ expires_at }}.\n"
    ),
    priority="high",
    description="Staff invited an email address to a makerspace (sent to the address; the invitee may have no account).",
)

register(
    "skill_request.approved",
    subject="Your {{ skill }} request at {{ makerspace }} is approved",
    text="Hello {{ user_name }},\n\nStaff at {{ makerspace }} granted you {{ skill }}.\n",
    description="Staff approved a member's skill request.",
)

register(
    "skill_request.rejected",
    subject="Your {{ skill }} request at {{ makerspace }}",
    text="Hello {{ user_name }},\n\nStaff at {{ makerspace }} did not grant {{ skill }}: {{ reason }}\n",
    description="Staff rejected a member's skill request, with the reason.",
)

register(
    "badge.awarded",
    subject="You earned the {{ badge }} badge at {{ makerspace }}",
    text="Hello {{ user_name }},\n\nYou earned the {{ badge }} badge at {{ makerspace }}. {{ description }}\n",
    priority="low",
    description="A member met a badge's criteria and received it.",
)

register(
    "membership.invite_accepted",
    subject="{{ member }} accepted your invitation to {{ makerspace }}",
    text="Hello {{ user_name }},\n\nThe invitation you sent to {{ email }} was accepted by {{ member }}.\n",
    priority="low",
    description="The inviter learns that their invitation was accepted.",
)

_WHEN = "{{ equipment }} at {{ makerspace }}, {{ starts_at }}–{{ ends_at }} ({{ timezone }})"

register(
    "reservation.confirmed",
    subject="Booked: {{ equipment }} on {{ starts_at }}",
    text="Hello {{ user_name }},\n\nYour booking of " + _WHEN + " is confirmed. Price: {{ price }} {{ currency }}"
    "{% if deposit != '0.00' %}, deposit {{ deposit }} {{ currency }}{% endif %}."
    "{% if series_count %} It is the first of {{ series_count }} bookings in a series.{% endif %}\n",
    description="A booking was made and confirmed.",
)
register(
    "reservation.pending",
    subject="Awaiting approval: {{ equipment }} on {{ starts_at }}",
    text="Hello {{ user_name }},\n\nYour booking of " + _WHEN + " is held for you and awaits staff approval."
    "{% if series_count %} It is the first of {{ series_count }} bookings in a series.{% endif %}\n",
    description="A booking that needs staff approval was made (it holds the slot).",
)
register(
    "reservation.approved",
    subject="Approved: {{ equipment }} on {{ starts_at }}",
    text="Hello {{ user_name }},\n\nStaff approved your booking of "
    + _WHEN
    + ".{% if reason %} {{ reason }}{% endif %}\n",
    description="Staff approved a pending booking.",
)
register(
    "reservation.rejected",
    subject="Not approved: {{ equipment }} on {{ starts_at }}",
    text="Hello {{ user_name }},\n\nStaff did not approve your booking of " + _WHEN + ": {{ reason }}\n",
    description="Staff rejected a pending booking.",
)
register(
    "reservation.cancelled",
    subject="Cancelled: {{ equipment }} on {{ starts_at }}",
    text="Hello {{ user_name }},\n\nYour booking of "
    + _WHEN
    + " was cancelled.{% if reason %} {{ reason }}{% endif %}\n",
    description="A booking was cancelled (by the member, staff, or because it was not approved in time).",
)
register(
    "reservation.displaced",
    subject="Your booking of {{ equipment }} on {{ starts_at }} was cancelled for an emergency",
    text="Hello {{ user_name }},\n\nStaff needed " + _WHEN + " for an emergency, so your booking was cancelled: "
    "{{ reason }}\nWe are sorry for the trouble; please book another time.\n",
    priority="high",
    description="An emergency booking by staff displaced a member's booking.",
)
register(
    "reservation.reminder",
    subject="Reminder: {{ equipment }} on {{ starts_at }}",
    text="Hello {{ user_name }},\n\nA reminder of your booking of " + _WHEN + ".\n",
    description="Sent once before a confirmed booking starts.",
)
register(
    "reservation.waitlist_offer",
    subject="A slot opened: {{ equipment }} on {{ starts_at }}",
    text="Hello {{ user_name }},\n\nThe slot you queued for, " + _WHEN + ", is free and held for you until "
    "{{ hold_until }}. Claim it before then or it passes to the next in line.\n",
    priority="high",
    description="A waiting-list entry is offered a freed slot.",
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

register(
    "job.received",
    subject="New store job at {{ makerspace }}: {{ title }}",
    text=(
        "Hello {{ user_name }},\n\nA store job arrived at {{ makerspace }}: {{ title }} "
        "({{ quantity }} x{% if material %}, {{ material }}{% endif %}, {{ priority }} priority).\n"
        "Accept or reject it in the jobs list (job {{ job_id }}).\n"
    ),
    priority="high",
    description="A job from the store was routed to the makerspace (sent to its staff).",
    sample={
        "job_id": 1,
        "title": "Bracket",
        "makerspace": "Bengaluru Makers",
        "material": "pla",
        "quantity": 2,
        "priority": "normal",
    },
)

register(
    "job.assigned",
    subject="Job {{ job_id }} at {{ makerspace }} is assigned to you",
    text=(
        "Hello {{ user_name }},\n\nStaff at {{ makerspace }} assigned you the store job {{ title }} "
        "({{ quantity }} x{% if material %}, {{ material }}{% endif %}, {{ priority }} priority).\n"
    ),
    priority="high",
    description="A service job was assigned to a provider.",
    sample={
        "job_id": 1,
        "title": "Bracket",
        "makerspace": "Bengaluru Makers",
        "material": "pla",
        "quantity": 2,
        "priority": "normal",
    },
)
