"""The provider interface: create a payment, verify a checkout signature, verify a webhook and read its event,
send a refund. Implementations: ``stripe.StripeProvider``, ``razorpay.RazorpayProvider``."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

# ISO 4217 currencies without minor units (Stripe's zero-decimal list, the ones a store may meet).
ZERO_DECIMAL_CURRENCIES = frozenset({"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX",
                                     "VND", "VUV", "XAF", "XOF", "XPF"})  # fmt: skip

# What the platform acts on; any other event type is stored and ignored.
CAPTURED = "payment.captured"
FAILED = "payment.failed"
REFUND_UPDATED = "refund.updated"


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Decimal money → the provider's integer amount (paise, cents; yen as is)."""
    exponent = 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2
    return int((Decimal(amount) * (10**exponent)).to_integral_value())


def from_minor_units(amount: int, currency: str) -> Decimal:
    exponent = 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2
    return (Decimal(amount) / (10**exponent)).quantize(Decimal(1) if exponent == 0 else Decimal("0.01"))


def int_or_none(value) -> int | None:
    """A provider field that must be an integer (amounts in minor units, timestamps), else None (bools too)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def local_refund_id(notes) -> int | None:
    """Our Refund id from a provider object's metadata/notes (``makrx_refund``), if it is one of ours."""
    value = notes.get("makrx_refund") if isinstance(notes, dict) else None
    return int(value) if isinstance(value, str | int) and str(value).isdigit() else None


class SignatureInvalid(Exception):
    """The delivery's (or checkout's) signature is missing, wrong, or outside the timestamp tolerance."""


@dataclass(frozen=True)
class ProviderPayment:
    """The provider-side object a payment is collected through (PaymentIntent, Razorpay order)."""

    provider_ref: str
    client_secret: str
    status: str
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderRefund:
    provider_ref: str
    status: str  # "succeeded", "pending" or "failed"
    raw: dict = field(default_factory=dict)
    error: str = ""


@dataclass(frozen=True)
class RefundUpdate:
    """One refund's state as an event reports it."""

    provider_ref: str
    status: str  # "succeeded", "pending" or "failed"
    amount_minor: int | None = None
    refund_id: int | None = None  # our Refund's id, sent along as metadata/notes ("makrx_refund")


@dataclass(frozen=True)
class CheckoutProof:
    """A verified checkout: the provider object paid and the payment that paid it."""

    provider_ref: str
    provider_payment_ref: str


@dataclass(frozen=True)
class ProviderEvent:
    """A verified event, reduced to what the platform acts on."""

    event_id: str
    type: str  # CAPTURED, FAILED, REFUND_UPDATED, or the provider's own type (ignored)
    provider_type: str
    payment_ref: str = ""  # PaymentIntent id / Razorpay order id (Payment.provider_ref)
    provider_payment_ref: str = ""  # Razorpay payment id / Stripe charge id
    amount_minor: int | None = None
    currency: str = ""
    refunds: tuple[RefundUpdate, ...] = ()
    error: str = ""
    payload: dict = field(default_factory=dict)


class PaymentProvider(Protocol):
    name: str
    signature_header: str  # the request header carrying the webhook signature

    def is_configured(self) -> bool: ...

    def create_payment(
        self,
        *,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
        metadata: dict,
        description: str = "",
        customer_email: str = "",
    ) -> ProviderPayment:
        """Create the provider-side payment. Raises ``ServiceUnavailable`` when unconfigured or on failure."""
        ...

    def verify_checkout(self, data: dict) -> CheckoutProof:
        """Check what the browser brought back from the provider's checkout; ``SignatureInvalid`` if forged."""
        ...

    def verify_webhook(self, body: bytes, headers) -> None:
        """Raise ``SignatureInvalid`` unless the raw body is signed by the provider (and fresh)."""
        ...

    def parse_event(self, body: bytes, headers=None) -> ProviderEvent:
        """Read a verified body; ``ValueError`` if it is not an event."""
        ...

    def refund(self, *, payment, refund, amount: Decimal, idempotency_key: str) -> ProviderRefund:
        """Send ``refund`` (our record, its id travels as metadata) of ``amount`` of ``payment``; the result (never raises for a provider refusal:
        ``status="failed"`` with ``error``). ``ServiceUnavailable`` when unconfigured."""
        ...
