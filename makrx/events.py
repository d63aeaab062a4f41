"""Domain events inside one transaction: an app announces a change; another app (the bridge) reacts in place.

Why not Django signals: the dependency rule (DESIGN §2) says ``store`` and ``makerspace`` never import each
other and only ``bridge`` knows both. An app therefore announces "a service order was published" or "a job
changed status" by name, and the bridge subscribes in its ``AppConfig.ready``. Handlers run synchronously, in
the caller's transaction, so whatever they write (an outbox row) commits or rolls back with the change.
Handlers must not do network I/O; queue that with ``transaction.on_commit``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

_handlers: dict[str, list[Callable[..., None]]] = defaultdict(list)


def subscribe(name: str, handler: Callable[..., None]) -> None:
    """Call ``handler(**payload)`` for every ``emit(name, **payload)``. Subscribing twice is a no-op."""
    if handler not in _handlers[name]:
        _handlers[name].append(handler)


def unsubscribe(name: str, handler: Callable[..., None]) -> None:
    if handler in _handlers[name]:
        _handlers[name].remove(handler)


def emit(name: str, **payload) -> None:
    """Run every handler of ``name`` now, in order; an exception propagates (and rolls the caller back)."""
    for handler in list(_handlers.get(name, ())):
        handler(**payload)


def subscribers(name: str) -> list[Callable[..., None]]:
    return list(_handlers.get(name, ()))
