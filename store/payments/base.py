"""The provider interface: create a payment for an order, verify a webhook delivery, read its event."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

# ISO 4217 currencies without minor units (Stripe's zero-decimal list, the ones a store may meet).
ZERO_DECIMAL_CURRENCIES = frozenset({"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX",
                                     "VND", "VUV", "XAF", "XOF", "XPF"})  # fmt: skip


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Decimal money → the provider's integer amount (paise, cents; yen as is)."""
    exponent = 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2
    return int((Decimal(amount) * (10**exponent)).to_integral_value())


class SignatureInvalid(Exception):
    """The delivery's signature is missing, wrong, or outside the timestamp tolerance."""


@dataclass(frozen=True)
class ProviderPayment:
    provider_ref: str
    client_secret: str
    status: str
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderEvent:
    """A verified event, reduced to what the store acts on."""

    event_id: str
    type: str  # "payment.succeeded", "payment.failed" or the provider's own type (ignored)
    provider_type: str
    payment_ref: str = ""
    order_number: str = ""
    amount_minor: int | None = None
    currency: str = ""
    payload: dict = field(default_factory=dict)


class PaymentProvider(Protocol):
    name: str
    signature_header: str  # the request header carrying the webhook signature

    def is_configured(self) -> bool: ...

    def create_payment(self, order, *, idempotency_key: str) -> ProviderPayment:
        """Create the provider-side payment for the order's total. Raises ``ServiceUnavailable`` on failure."""
        ...

    def verify_webhook(self, body: bytes, headers) -> None:
        """Raise ``SignatureInvalid`` unless the raw body is signed by the provider."""
        ...

    def parse_event(self, body: bytes) -> ProviderEvent:
        """Read a verified body; ``ValueError`` if it is not an event."""
        ...
