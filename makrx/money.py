"""Money for every app: the default currency, rounding to the minor unit, and the model fields that hold it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models

CENT = Decimal("0.01")


def default_currency() -> str:
    """The currency new prices, carts, orders and plans use (``DEFAULT_CURRENCY``, read at call time)."""
    return settings.DEFAULT_CURRENCY


def quantize_money(amount: Decimal) -> Decimal:
    """Round to the minor unit (cents/paise), half up, as invoices do."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def MoneyField(**kwargs) -> models.DecimalField:  # noqa: N802 - reads like a field class
    """An amount: up to 10 digits before the point, 2 after."""
    kwargs.setdefault("max_digits", 12)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(**kwargs)


def CurrencyField(**kwargs) -> models.CharField:  # noqa: N802 - reads like a field class
    """An ISO 4217 code, defaulting to ``DEFAULT_CURRENCY``."""
    kwargs.setdefault("max_length", 3)
    kwargs.setdefault("default", default_currency)
    return models.CharField(**kwargs)
