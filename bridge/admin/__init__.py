"""Bridge admin: the outbox (with re-queue) and the inbound deliveries log."""

from bridge.admin import outbox, receivers  # noqa: F401
