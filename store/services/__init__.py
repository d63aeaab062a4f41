"""Store services, one module per domain, and the actor checks they share.

Every service that changes state takes the acting user (``actor``) and checks it itself, so the API, the
admin and scripts can never disagree about who may do what. ``SYSTEM`` acts for the platform itself
(seeding, scheduled jobs): it passes the staff checks and is never recorded as a user on a row.
"""

from __future__ import annotations

from makrx.auth.roles import SUPER_ADMIN, is_store_staff
from makrx.errors import PermissionDenied


class SystemActor:
    """The platform acting on its own behalf (not a user; no database row)."""

    is_authenticated = True
    is_superuser = True
    roles = (SUPER_ADMIN,)
    pk = None

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def require_store_staff(actor, *, action: str) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` is store staff (or ``SYSTEM``)."""
    if not is_store_staff(actor):
        raise PermissionDenied(f"Only store staff can {action}.")


def actor_user(actor):
    """The user to record as having acted (``None`` for anonymous callers and ``SYSTEM``)."""
    if actor is SYSTEM or not getattr(actor, "is_authenticated", False):
        return None
    return actor
