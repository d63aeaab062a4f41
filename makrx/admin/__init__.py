"""Admin for the platform core, plus the helpers every app's admin builds on.

- ``readonly``: ``ReadOnlyInline`` and ``ReadOnlyAdmin`` for rows only services write (history, ledgers, logs);
- ``actions``: ``ServiceActionsMixin``, which runs an admin action through a service per row and asks for input;
- ``platform``: the screens of the core models (users, pages, idempotency records);
- ``notifications``: template overrides with a preview, sent notifications, preferences, webhooks;
- ``payments``: platform payments, refunds and webhook deliveries (read-only).
"""

from makrx.admin import notifications, payments, platform  # noqa: F401  (registers the core models' screens)
