"""Makerspace reads."""


def memberships_for_user(user) -> list[dict]:
    """[{makerspace, role, status}] for /api/v1/auth/me (filled in by the makerspace core)."""
    return []
