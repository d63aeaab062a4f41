"""Admin screens of the makerspace app, one module per domain; every screen is scoped to the user's makerspaces."""

from makerspace.admin import (  # noqa: F401
    calendar,
    equipment,
    maintenance,
    members,
    plans,
    pricing,
    reservations,
    skills,
    spaces,
    usage,
    waitlist,
)
