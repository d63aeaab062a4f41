"""The registry of notification kinds: each app declares its kinds and default templates once, at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field

PRIORITIES = ("high", "normal", "low")


@dataclass(frozen=True)
class Kind:
    """One kind of event a user can be told about, with its default templates (Django template syntax)."""

    key: str
    subject: str
    text: str
    html: str = ""
    priority: str = "normal"
    description: str = ""
    # A context the templates render with in tests and in the admin's preview (plain JSON values).
    sample: dict = field(default_factory=dict)


_KINDS: dict[str, Kind] = {}


def register(
    key: str,
    *,
    subject: str,
    text: str,
    html: str = "",
    priority: str = "normal",
    description: str = "",
    sample: dict | None = None,
) -> Kind:
    """Declare a kind (``<domain>.<event>``, e.g. ``reservation.approved``); registering it twice the same way is a no-op."""
    if priority not in PRIORITIES:
        raise ValueError(f"priority must be one of {PRIORITIES}")
    kind = Kind(
        key=key,
        subject=subject,
        text=text,
        html=html,
        priority=priority,
        description=description,
        sample=dict(sample or {}),
    )
    existing = _KINDS.get(key)
    if existing is not None and existing != kind:
        raise ValueError(f"notification kind {key!r} is already registered with other templates")
    _KINDS[key] = kind
    return kind


def kind_get(key: str) -> Kind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"unknown notification kind {key!r}; register it in the app's notifications module") from None


def kind_list() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.key)
