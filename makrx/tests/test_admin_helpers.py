"""The shared admin helpers: local times with their zone, status badges, and the JSON form fields."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

import pytest
from django import forms

from makrx.admin.display import badge, format_local, status_family, timezone_at
from makrx.admin.json_fields import AddressField, KeyValueField, keep_unknown_keys

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")


def test_a_bengaluru_ten_oclock_reads_ten_ist():
    moment = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)  # 10:00 in Bengaluru
    assert format_local(moment, KOLKATA) == "02 Mar 2026 10:00 IST"
    assert format_local(moment, zoneinfo.ZoneInfo("UTC")) == "02 Mar 2026 04:30 UTC"
    assert format_local(None, KOLKATA) == "-"


def test_the_zone_is_found_along_the_path_or_falls_back_to_the_platform():
    class Space:
        timezone = "Asia/Kolkata"

    class Machine:
        makerspace = Space()

    class Booking:
        equipment = Machine()

    assert timezone_at(Booking(), "equipment__makerspace").key == "Asia/Kolkata"
    assert timezone_at(Space(), "pk").key == "Asia/Kolkata"  # the makerspace's own screen
    assert timezone_at(object(), "equipment__makerspace").key == "UTC"  # settings.TIME_ZONE


def test_badges_have_one_class_per_status_family():
    assert status_family("confirmed") == status_family("paid") == "ok"
    assert status_family("pending") == status_family("pending_payment") == "wait"
    assert status_family("cancelled") == status_family("maintenance") == "bad"
    assert status_family("closed") == "muted"
    assert str(badge("pending", "Pending <b>")) == '<span class="badge badge-wait">Pending &lt;b&gt;</span>'


class SpecsForm(forms.Form):
    specs = KeyValueField()


def _rows(*pairs):
    data = {"specs-rows": str(len(pairs))}
    for index, (key, value) in enumerate(pairs):
        data[f"specs-key-{index}"], data[f"specs-value-{index}"] = key, value
    return data


def test_specs_round_trip_through_the_rows():
    stored = {"bed_mm": [600, 400], "power_w": 60, "tube": "CO2", "air_assist": True}
    html = SpecsForm(initial={"specs": stored}).as_p()
    assert 'value="[600, 400]"' in html and 'value="CO2"' in html and 'value="true"' in html
    form = SpecsForm(
        _rows(("bed_mm", "[600, 400]"), ("power_w", "60"), ("tube", "CO2"), ("air_assist", "true"), ("", ""))
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["specs"] == stored


@pytest.mark.parametrize(
    "rows, message",
    [
        ((("power_w", "60"), ("power_w", "80")), "appears twice"),
        ((("", "60"),), "has no key"),
        ((("bad{key}", "1"),), "keys are letters"),
        ((("nested", '{"a": 1}'),), "not an object"),
    ],
)
def test_specs_reject_bad_rows(rows, message):
    form = SpecsForm(_rows(*rows))
    assert not form.is_valid()
    assert message in str(form.errors["specs"])


def test_a_value_nested_too_deeply_to_decode_is_kept_as_text():
    """A value is decoded as JSON when it parses; one nested past ``MAX_JSON_DEPTH`` was a RecursionError (a 500
    in the admin) and is now kept as the text typed, like any value that is not JSON."""
    deep = "[" * 5000 + "]" * 5000
    form = SpecsForm(_rows(("deep", deep)))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["specs"] == {"deep": deep}
    assert 'name="specs-value-0"' in SpecsForm(initial={"specs": {"deep": deep}}).as_p()


class AddressForm(forms.Form):
    address = AddressField()


ADDRESS = {
    "name": "Nisha Kulkarni",
    "line1": "12 CMH Road",
    "city": "Bengaluru",
    "state": "KA",
    "postal_code": "560038",
    "country": "IN",
    "phone": "+91 80 1234 5678",
}


def _address_post(address: dict) -> dict:
    keys = ("name", "line1", "line2", "city", "state", "postal_code", "country", "phone", "email")
    return {f"address_{key}": address.get(key, "") for key in keys}


def test_address_round_trips_and_blank_stays_empty():
    html = AddressForm(initial={"address": ADDRESS}).as_p()
    assert 'value="12 CMH Road"' in html and 'placeholder="Postal code"' in html
    form = AddressForm(_address_post(ADDRESS))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["address"] == ADDRESS
    blank = AddressForm(_address_post({}))
    assert blank.is_valid() and blank.cleaned_data["address"] == {}


def test_a_started_address_needs_its_required_lines_and_a_valid_email():
    form = AddressForm(_address_post({"name": "Nisha", "line1": "12 CMH Road"}))
    assert not form.is_valid()
    assert "Missing: City, Postal code, Country." in str(form.errors["address"])
    form = AddressForm(_address_post({**ADDRESS, "email": "not-an-email"}))
    assert not form.is_valid()


def test_keys_the_form_does_not_show_are_kept():
    assert keep_unknown_keys({"name": "A"}, {"name": "B", "landmark": "Near the park"}) == {
        "name": "A",
        "landmark": "Near the park",
    }
    assert keep_unknown_keys({}, {"landmark": "x"}) == {}
