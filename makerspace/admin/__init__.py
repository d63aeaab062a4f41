"""Admin screens of the makerspace app, one module per domain; every screen is scoped to the user's makerspaces."""

from makerspace.admin import (  # noqa: F401
    badges,
    calendar,
    equipment,
    incidents,
    intervals,
    invites,
    maintenance,
    members,
    plans,
    pricing,
    ratings,
    reservations,
    skills,
    spaces,
    usage,
    waitlist,
)
