"""Admin screens of the makerspace app, one module per domain; every screen is scoped to the user's makerspaces."""

from makerspace.admin import (  # noqa: F401
    calendar,
    equipment,
    inventory,
    maintenance,
    members,
    plans,
    project_bom,
    projects,
    providers,
    reservations,
    skills,
    spaces,
    usage,
)
