"""Money field defaults shared by the makerspace models."""

from __future__ import annotations

from django.conf import settings
from django.db import models


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


def MoneyField(**kwargs) -> models.DecimalField:  # noqa: N802 - reads like a field class
    kwargs.setdefault("max_digits", 12)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(**kwargs)


def CurrencyField(**kwargs) -> models.CharField:  # noqa: N802 - reads like a field class
    kwargs.setdefault("max_length", 3)
    kwargs.setdefault("default", default_currency)
    return models.CharField(**kwargs)
