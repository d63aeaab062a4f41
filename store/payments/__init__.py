"""Payment providers behind one small interface (``base.PaymentProvider``): Stripe, Razorpay."""

from __future__ import annotations

from store.payments.base import PaymentProvider, ProviderEvent, ProviderPayment, SignatureInvalid


def get_provider(name: str) -> PaymentProvider:
    if name == "stripe":
        from store.payments.stripe import StripeProvider

        return StripeProvider()
    if name == "razorpay":
        from store.payments.razorpay import RazorpayProvider

        return RazorpayProvider()
    raise KeyError(name)


__all__ = ["PaymentProvider", "ProviderEvent", "ProviderPayment", "SignatureInvalid", "get_provider"]
