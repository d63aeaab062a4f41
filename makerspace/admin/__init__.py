"""Admin screens of the makerspace app, one module per domain; every screen is scoped to the user's makerspaces."""

from makerspace.admin import (  # noqa: F401
    badges,
    calendar,
    equipment,
    incidents,
    invites,
    maintenance,
    members,
    plans,
    reservations,
    skills,
    spaces,
    usage,
)
