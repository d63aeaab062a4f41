"""A stand-in for makerspace.selectors.memberships_for_user (set via MAKRX_MEMBERSHIPS_PROVIDER)."""

from __future__ import annotations

MEMBERSHIPS: dict[int, list[dict]] = {}


def memberships_for_user(user) -> list[dict]:
    return list(MEMBERSHIPS.get(user.pk, []))
