"""Money helpers for the store: the default currency and two-place rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")


def default_currency() -> str:
    """The currency new prices, carts and orders use (``DEFAULT_CURRENCY``, read at call time)."""
    return settings.DEFAULT_CURRENCY


def quantize_money(amount: Decimal) -> Decimal:
    """Round to cents, half up, as invoices do."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
