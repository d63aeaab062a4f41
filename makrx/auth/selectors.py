"""Identity reads: a user's makerspace memberships through the configured provider."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string


def user_memberships_list(*, user) -> list[dict]:
    """``[{makerspace, makerspace_slug, makerspace_name, role, status}]`` from MAKRX_MEMBERSHIPS_PROVIDER.

    The provider lives in the makerspace app; makrx only knows its dotted path, so the
    platform core never imports an app.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    path = getattr(settings, "MAKRX_MEMBERSHIPS_PROVIDER", "")
    if not path:
        return []
    return list(import_string(path)(user))
