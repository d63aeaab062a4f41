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
