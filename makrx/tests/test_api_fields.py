"""The one bounded date/datetime field type: its rules, and a scan that every API serializer uses it."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

import pytest
from rest_framework import serializers

from makrx.api import fields
from makrx.models import Page

UTC = dt.UTC


class _Probe(serializers.Serializer):
    at = fields.DateTimeField()
    on = fields.DateField(required=False)


def _errors(data):
    probe = _Probe(data=data)
    assert not probe.is_valid()
    return probe.errors


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2000-01-01T00:00:00Z", dt.datetime(2000, 1, 1, tzinfo=UTC)),
        ("2099-12-31T23:59:59.999999Z", dt.datetime(2099, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        ("2026-11-23T10:00:00+05:30", dt.datetime(2026, 11, 23, 4, 30, tzinfo=UTC)),
        # The offset counts: 2100-01-01T01:00+02:00 is still 2099 in UTC.
        ("2100-01-01T01:00:00+02:00", dt.datetime(2099, 12, 31, 23, 0, tzinfo=UTC)),
    ],
)
def test_datetimes_inside_the_range_are_accepted(value, expected):
    probe = _Probe(data={"at": value})

    assert probe.is_valid(), probe.errors
    assert probe.validated_data["at"] == expected


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-14:00",  # converting this one to UTC overflows: still a clean 400
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+14:00",
        "1999-12-31T23:59:59.999999Z",
        "2100-01-01T00:00:00Z",
        "1999-12-31T23:00:00-02:00",  # 2000-01-01T01:00Z: inside, see below
    ][:-1],
)
def test_datetimes_outside_the_range_are_refused(value):
    assert _errors({"at": value})["at"] == ["Enter a date and time between 2000-01-01 and 2099-12-31 (UTC)."]


def test_naive_datetimes_are_refused():
    assert _errors({"at": "2026-11-23T10:00:00"})["at"][0].startswith("Give a UTC offset or Z")
    assert _errors({"at": dt.datetime(2026, 11, 23, 10)})["at"][0].startswith("Give a UTC offset or Z")


@pytest.mark.parametrize("value", ["10000-01-01T00:00:00Z", "not a date", "2026-02-30T00:00:00Z"])
def test_unparseable_datetimes_are_refused(value):
    assert "at" in _errors({"at": value})


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2000-01-01", True),
        ("2099-12-31", True),
        ("1999-12-31", False),
        ("2100-01-01", False),
        ("0001-01-01", False),
        ("9999-12-31", False),
    ],
)
def test_date_bounds(value, ok):
    probe = _Probe(data={"at": "2026-01-01T00:00:00Z", "on": value})

    assert probe.is_valid() is ok
    if not ok:
        assert probe.errors["on"] == ["Enter a date between 2000-01-01 and 2099-12-31."]


def test_model_serializers_build_bounded_fields():
    class PageProbe(serializers.ModelSerializer):
        class Meta:
            model = Page
            fields = ["published_at", "created_at"]

    built = PageProbe().fields

    assert type(built["published_at"]) is fields.DateTimeField
    assert type(built["created_at"]) is fields.DateTimeField


def test_list_filters_apply_the_same_rules():
    from django_filters import rest_framework as filters

    class PageFilter(filters.FilterSet):
        published_after = fields.DateTimeFilter(field_name="published_at", lookup_expr="gte")
        created_on = fields.DateFilter(field_name="created_at__date")

        class Meta:
            model = Page
            fields = ["published_after", "created_on"]

    good = PageFilter({"published_after": "2026-01-01T00:00:00+05:30", "created_on": "2026-01-01"})
    bad = PageFilter({"published_after": "9999-12-31T00:00:00Z", "created_on": "0001-01-01"})
    naive = PageFilter({"published_after": "2026-01-01T00:00:00"})

    assert good.is_valid(), good.errors
    assert good.form.cleaned_data["published_after"] == dt.datetime(2025, 12, 31, 18, 30, tzinfo=UTC)
    assert not bad.is_valid()
    assert bad.errors["published_after"] == ["Enter a date and time between 2000-01-01 and 2099-12-31 (UTC)."]
    assert bad.errors["created_on"] == ["Enter a date between 2000-01-01 and 2099-12-31."]
    assert not naive.is_valid()


# --- the scan: no serializer or list filter in the project takes an unbounded date or time ----------------------

SCANNED_PACKAGES = ("makrx", "makerspace", "store")


def _import_all(package_name: str) -> None:
    package = importlib.import_module(package_name)
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
        if ".tests" in info.name or ".migrations" in info.name or info.name.endswith(".settings"):
            continue
        importlib.import_module(info.name)


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def _walk(field, path):
    yield path, field
    if isinstance(field, serializers.ListSerializer):
        yield from _walk(field.child, f"{path}[]")
    elif isinstance(field, serializers.Serializer):
        for name, sub in field.fields.items():
            yield from _walk(sub, f"{path}.{name}")
    elif isinstance(field, (serializers.ListField, serializers.DictField)):
        yield from _walk(field.child, f"{path}[]")


def test_every_project_serializer_uses_the_bounded_date_fields():
    for package in SCANNED_PACKAGES:
        _import_all(package)
    offenders, scanned = [], 0
    for cls in set(_all_subclasses(serializers.Serializer)):
        if not cls.__module__.startswith(SCANNED_PACKAGES) or ".tests" in cls.__module__:
            continue
        try:
            instance = cls()
            instance.fields  # noqa: B018 - builds the fields
        except Exception:  # noqa: BLE001, S112 - abstract bases and serializers needing context are skipped
            continue
        scanned += 1
        for path, field in _walk(instance, f"{cls.__module__}.{cls.__qualname__}"):
            if isinstance(field, serializers.DateTimeField) and not isinstance(field, fields.DateTimeField):
                offenders.append(path)
            elif isinstance(field, serializers.DateField) and not isinstance(field, fields.DateField):
                offenders.append(path)

    assert scanned > 50
    assert offenders == [], "use makrx.api.fields.DateTimeField/DateField:\n" + "\n".join(sorted(offenders))


def test_every_project_list_filter_uses_the_bounded_date_fields():
    from django import forms
    from django_filters import FilterSet

    for package in SCANNED_PACKAGES:
        _import_all(package)
    offenders, scanned = [], 0
    for cls in set(_all_subclasses(FilterSet)):
        if not cls.__module__.startswith(SCANNED_PACKAGES) or ".tests" in cls.__module__:
            continue
        scanned += 1
        for name, list_filter in cls.base_filters.items():
            field_class = list_filter.field_class
            if issubclass(field_class, (forms.DateField, forms.DateTimeField, forms.SplitDateTimeField)):
                offenders.append(f"{cls.__module__}.{cls.__qualname__}.{name} ({field_class.__name__})")

    assert scanned > 0
    assert offenders == [], "use makrx.api.fields.DateTimeFilter/DateFilter:\n" + "\n".join(sorted(offenders))
