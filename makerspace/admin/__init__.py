"""Admin screens of the makerspace app, one module per domain; every screen is scoped to the user's makerspaces."""

from makerspace.admin import (  # noqa: F401
    badges,
    calendar,
    equipment,
    incidents,
    intervals,
    inventory,
    invites,
    maintenance,
    members,
    plans,
    pricing,
    project_bom,
    projects,
    providers,
    ratings,
    reservations,
    skills,
    spaces,
    usage,
    waitlist,
)
