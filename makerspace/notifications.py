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
