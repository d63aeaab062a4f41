"""Admin screens of the makerspace app, one module per domain; every screen is scoped to the user's makerspaces."""

from makerspace.admin import booking, equipment, members, plans, skills, spaces  # noqa: F401
