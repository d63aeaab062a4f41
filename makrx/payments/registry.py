"""The purpose registry: each app says what its payments pay for and what happens when money moves.

An app registers its purposes in ``AppConfig.ready`` (the store: ``store.order``; makerspace billing: invoices
and wallet top-ups). The platform calls the hooks inside the transaction that records the change, so an
app's effects (order paid, invoice paid, wallet credited) commit or roll back with the payment record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from makrx.errors import PermissionDenied, ValidationError


@dataclass(frozen=True)
class Purpose:
    name: str
    on_captured: Callable[..., None]
    on_failed: Callable[..., None] | None = None
    on_refunded: Callable[..., None] | None = None
    describe: Callable[[str], str] | None = None
    authorize: Callable[..., None] | None = None
    refund_destinations: tuple[str, ...] = ("original",)


_purposes: dict[str, Purpose] = {}


def register_purpose(
    purpose: str,
    *,
    on_captured: Callable[..., None],
    on_failed: Callable[..., None] | None = None,
    on_refunded: Callable[..., None] | None = None,
    describe: Callable[[str], str] | None = None,
    authorize: Callable[..., None] | None = None,
    refund_destinations: tuple[str, ...] = ("original",),
) -> Purpose:
    """Register (or replace) what ``purpose`` payments do.

    - ``on_captured(payment, actor)``: the money is in (provider capture or staff-recorded offline payment);
      runs once per payment, inside the transaction that records the capture. Raise a ``DomainError`` to
      refuse (an offline payment is then not recorded; a provider capture is kept and flagged for a refund).
    - ``on_failed(payment, actor)``: the provider says the attempt failed.
    - ``on_refunded(payment, refund, actor)``: a refund succeeded (for ``destination="wallet"`` the hook is
      what credits the wallet); ``payment.amount_refunded`` already includes it.
    - ``describe(reference) -> str``: a human label for admin screens.
    - ``authorize(actor, reference, action)``: raise ``PermissionDenied`` unless ``actor`` may do ``action``
      (``"record_offline"`` or ``"refund"``) for that reference; without it only the platform may.
    - ``refund_destinations``: which of ``original``/``wallet`` refunds may use.
    """
    if not purpose or len(purpose) > 50:
        raise ValueError("a purpose is a short name such as 'store.order'")
    registered = Purpose(
        name=purpose,
        on_captured=on_captured,
        on_failed=on_failed,
        on_refunded=on_refunded,
        describe=describe,
        authorize=authorize,
        refund_destinations=tuple(refund_destinations),
    )
    _purposes[purpose] = registered
    return registered


def get_purpose(purpose: str) -> Purpose:
    """The registered purpose; 400 ``unknown_purpose`` for a name no app registered."""
    try:
        return _purposes[purpose]
    except KeyError:
        raise ValidationError(f"Nothing registered to pay for {purpose!r}.", code="unknown_purpose") from None


def registered_purposes() -> list[str]:
    return sorted(_purposes)


def purpose_describe(purpose: str, reference: str) -> str:
    """A human label for what a payment pays (the purpose's ``describe``), for admin screens."""
    registered = _purposes.get(purpose)
    if registered is not None and registered.describe is not None:
        return registered.describe(reference)
    return f"{purpose} {reference}"


def authorize(*, purpose: Purpose, actor, reference: str, action: str) -> None:
    """The purpose's own staff check; with none, only platform admins (and the platform itself) may act."""
    if purpose.authorize is not None:
        purpose.authorize(actor, reference, action)
        return
    from makrx.auth import roles
    from makrx.auth.scoping import SYSTEM

    if actor is SYSTEM or roles.is_platform_admin(actor):
        return
    raise PermissionDenied(f"You cannot {action.replace('_', ' ')} {purpose.name} payments.")
