"""Platform notifications: every app registers its kinds and calls ``notify()``; delivery is queued after commit."""

from makrx.notifications.registry import Kind, kind_get, kind_list, register
from makrx.notifications.services import notify

__all__ = ["Kind", "kind_get", "kind_list", "notify", "register"]
