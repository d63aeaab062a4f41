"""The API's one date and datetime field types: bounded to 2000-01-01 ≤ value < 2100-01-01, datetimes aware.

Serializer fields (bodies and query serializers) and django-filter filters (list query parameters) share the rules.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db import models
from django.utils import timezone
from django_filters import rest_framework as filters
from rest_framework import serializers

# The one place the accepted calendar range is defined. Nothing the platform books, sells or schedules lies
# outside it, and values near datetime.MIN/MAX overflow as soon as a duration or a time zone is applied.
EARLIEST_DATE = dt.date(2000, 1, 1)
END_DATE_EXCLUSIVE = dt.date(2100, 1, 1)
EARLIEST_DATETIME = dt.datetime.combine(EARLIEST_DATE, dt.time.min, tzinfo=dt.UTC)
END_DATETIME_EXCLUSIVE = dt.datetime.combine(END_DATE_EXCLUSIVE, dt.time.min, tzinfo=dt.UTC)

_RANGE_TEXT = f"{EARLIEST_DATE.isoformat()} and {(END_DATE_EXCLUSIVE - dt.timedelta(days=1)).isoformat()}"


def date_in_range(value: dt.date) -> bool:
    return EARLIEST_DATE <= value < END_DATE_EXCLUSIVE


def datetime_in_range(value: dt.datetime) -> bool:
    """``value`` must be aware; comparing aware datetimes never overflows."""
    return EARLIEST_DATETIME <= value < END_DATETIME_EXCLUSIVE


class DateTimeField(serializers.DateTimeField):
    """An ISO 8601 datetime with a UTC offset or ``Z``, between 2000-01-01T00:00Z and 2100-01-01T00:00Z.

    Naive datetimes are refused, not guessed: a client in +05:30 sending ``10:00`` would otherwise book, pay or
    expire at the wrong instant without anyone noticing.
    """

    default_error_messages = {
        "naive": "Give a UTC offset or Z (for example 2026-11-23T10:00:00+05:30).",
        "out_of_range": f"Enter a date and time between {_RANGE_TEXT} (UTC).",
    }

    def enforce_timezone(self, value):
        # Runs on every parsed input before it is converted to the field's zone, where a far date would overflow.
        if timezone.is_naive(value):
            self.fail("naive")
        if not datetime_in_range(value):
            self.fail("out_of_range")
        return super().enforce_timezone(value)


class DateField(serializers.DateField):
    """An ISO 8601 date (YYYY-MM-DD) between 2000-01-01 and 2099-12-31."""

    default_error_messages = {"out_of_range": f"Enter a date between {_RANGE_TEXT}."}

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not date_in_range(parsed):
            self.fail("out_of_range")
        return parsed


class _SerializerBackedFormField(forms.Field):
    """A form field (for django-filter) that validates with one of the serializer fields above."""

    serializer_field_class: type[serializers.Field]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.serializer_field_class().run_validation(value)
        except serializers.ValidationError as exc:
            messages = exc.detail if isinstance(exc.detail, list) else [exc.detail]
            raise forms.ValidationError([str(message) for message in messages], code="invalid") from exc


class DateTimeFormField(_SerializerBackedFormField):
    serializer_field_class = DateTimeField


class DateFormField(_SerializerBackedFormField):
    serializer_field_class = DateField


class DateTimeFilter(filters.IsoDateTimeFilter):
    """A list filter taking a bounded, aware ISO 8601 datetime (``?starts_after=2026-11-23T10:00:00Z``)."""

    field_class = DateTimeFormField


class DateFilter(filters.DateFilter):
    """A list filter taking a bounded ISO 8601 date (``?date=2026-11-23``)."""

    field_class = DateFormField


def install_model_field_mapping() -> None:
    """Make every ``ModelSerializer`` build its date/datetime fields from the bounded types above.

    Called once from ``MakrxConfig.ready``. The mapping is DRF's own class attribute, so serializers of every app
    (and any written later) get the bounds without having to remember a base class;
    ``makrx/tests/test_api_fields.py`` scans every serializer so a field declared by hand cannot slip through.
    """
    mapping = serializers.ModelSerializer.serializer_field_mapping
    mapping[models.DateTimeField] = DateTimeField
    mapping[models.DateField] = DateField
