"""Platform payments: one provider interface (Stripe, Razorpay), one payment record, one flow for every app.

Apps register what they sell with ``register_purpose`` (``registry``) and call the services in
``makrx.payments.services`` (start, confirm checkout, record offline), ``makrx.payments.refunds``
(``refund_create``) and ``makrx.payments.webhooks`` (``webhook_process``). See docs/payments.md.
"""

from __future__ import annotations

from makrx.payments.base import PaymentProvider, ProviderEvent, ProviderPayment, SignatureInvalid
from makrx.payments.registry import get_purpose, register_purpose, registered_purposes

PROVIDERS = ("stripe", "razorpay")


def get_provider(name: str) -> PaymentProvider:
    """The gateway called ``name``; ``KeyError`` for any other name."""
    if name == "stripe":
        from makrx.payments.stripe import StripeProvider

        return StripeProvider()
    if name == "razorpay":
        from makrx.payments.razorpay import RazorpayProvider

        return RazorpayProvider()
    raise KeyError(name)


__all__ = [
    "PROVIDERS",
    "PaymentProvider",
    "ProviderEvent",
    "ProviderPayment",
    "SignatureInvalid",
    "get_provider",
    "get_purpose",
    "register_purpose",
    "registered_purposes",
]
