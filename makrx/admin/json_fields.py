"""Form fields for JSON columns staff edit in the admin: postal addresses and key/value specs, not raw JSON.

Each field validates and stores the same JSON shape the API reads and writes: an address is an object with the
checkout's keys (``ADDRESS_KEYS``); specs are a flat object whose values are JSON scalars or lists
(``60``, ``[600, 400]``, ``"CO2"``), typed in a row as JSON or as plain text.
"""

from __future__ import annotations

import json
import re

from django import forms
from django.utils.html import format_html, format_html_join

from makrx.boundedjson import loads_bounded

# The checkout's address shape (store/api/legacy/serializers/checkout.py LegacyAddressSerializer).
ADDRESS_KEYS = (
    ("name", "Name", 200, True),
    ("line1", "Address line 1", 255, True),
    ("line2", "Address line 2", 255, False),
    ("city", "City", 100, True),
    ("state", "State", 100, False),
    ("postal_code", "Postal code", 20, True),
    ("country", "Country", 64, True),
    ("phone", "Phone", 32, False),
    ("email", "Email", 254, False),
)


class AddressWidget(forms.MultiWidget):
    template_name = "makrx/widgets/address.html"

    def __init__(self, attrs=None):
        widgets = {
            key: forms.TextInput(attrs={"placeholder": label, "aria-label": label}) for key, label, *_ in ADDRESS_KEYS
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        value = value if isinstance(value, dict) else {}
        return [value.get(key) or "" for key, *_ in ADDRESS_KEYS]


class AddressField(forms.MultiValueField):
    """An address as labelled inputs; blank stays ``{}``, a started one needs its required lines.

    Keys the form does not show (anything else a client stored) are kept by ``keep_unknown_keys``."""

    widget = AddressWidget

    def __init__(self, **kwargs):
        for key in ("encoder", "decoder", "max_length"):
            kwargs.pop(key, None)
        fields = [
            forms.EmailField(required=False) if key == "email" else forms.CharField(required=False, max_length=size)
            for key, _, size, _ in ADDRESS_KEYS
        ]
        kwargs.setdefault("required", False)
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        values = dict(zip([key for key, *_ in ADDRESS_KEYS], data_list or [], strict=False))
        address = {key: (values.get(key) or "").strip() for key, *_ in ADDRESS_KEYS}
        if not any(address.values()):
            return {}
        missing = [label for key, label, _, required in ADDRESS_KEYS if required and not address[key]]
        if missing:
            raise forms.ValidationError(f"Missing: {', '.join(missing)}.")
        return {key: value for key, value in address.items() if value}

    def has_changed(self, initial, data):
        return (initial or {}) != (self.clean(data) if data is not None else {})


SPEC_KEY = re.compile(r"^[A-Za-z0-9_.\- ]{1,64}$")


def spec_text(value) -> str:
    """How a spec value is shown in its row: plain text for a string that is not itself JSON, else JSON."""
    if isinstance(value, str):
        try:
            loads_bounded(value)
        except ValueError:
            return value
    return json.dumps(value)


def spec_value(text: str):
    """A row's value: JSON when it parses as a scalar or a list (``60``, ``[600, 400]``, ``true``), else the text."""
    try:
        value = loads_bounded(text)
    except ValueError:
        return text
    if isinstance(value, dict):
        raise forms.ValidationError(f"{text!r}: a value is a number, text, true/false or a list, not an object.")
    return value


class KeyValueWidget(forms.Widget):
    """Rows of (key, value) inputs, the existing pairs plus ``extra`` empty rows."""

    extra = 3

    def format_value(self, value):
        if isinstance(value, str):
            try:
                value = loads_bounded(value)
            except ValueError:
                value = {}
        return value if isinstance(value, dict) else {}

    def render(self, name, value, attrs=None, renderer=None):
        pairs = [*((key, spec_text(v)) for key, v in self.format_value(value).items()), *([("", "")] * self.extra)]
        rows = format_html_join(
            "",
            '<tr><td><input type="text" name="{0}-key-{1}" value="{2}" aria-label="key {1}"></td>'
            '<td><input type="text" name="{0}-value-{1}" value="{3}" size="40" aria-label="value {1}"></td></tr>',
            ((name, index, key, text) for index, (key, text) in enumerate(pairs)),
        )
        return format_html(
            '<table class="key-value"><thead><tr><th>key</th><th>value</th></tr></thead><tbody>{}</tbody></table>'
            '<input type="hidden" name="{}-rows" value="{}">',
            rows,
            name,
            len(pairs),
        )

    def value_from_datadict(self, data, files, name):
        if f"{name}-rows" not in data:
            return data.get(name)  # a raw JSON post (tests, scripts) is still accepted
        try:
            count = min(int(data.get(f"{name}-rows", 0)), 500)
        except ValueError:
            count = 0
        return [(data.get(f"{name}-key-{i}", ""), data.get(f"{name}-value-{i}", "")) for i in range(count)]

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-rows" not in data and name not in data


class KeyValueField(forms.Field):
    """A flat JSON object edited as key/value rows; duplicate or malformed keys are refused."""

    widget = KeyValueWidget

    def __init__(self, **kwargs):
        for key in ("encoder", "decoder", "max_length"):
            kwargs.pop(key, None)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return {}
        if isinstance(value, dict):
            return value
        if isinstance(value, str):
            try:
                parsed = loads_bounded(value)
            except ValueError as exc:
                raise forms.ValidationError("Enter key/value rows.") from exc
            if not isinstance(parsed, dict):
                raise forms.ValidationError("Enter key/value rows.")
            return parsed
        result, errors = {}, []
        for key, text in value:
            key, text = (key or "").strip(), (text or "").strip()
            if not key and not text:
                continue
            if not key:
                errors.append(f"The value {text!r} has no key.")
            elif not SPEC_KEY.match(key):
                errors.append(f"{key!r}: keys are letters, digits, spaces, '_', '-' or '.', at most 64.")
            elif key in result:
                errors.append(f"{key!r} appears twice.")
            else:
                try:
                    result[key] = spec_value(text)
                except forms.ValidationError as exc:
                    errors.extend(exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        return result

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (initial or {})
        except forms.ValidationError:
            return True


def keep_unknown_keys(new: dict, old) -> dict:
    """``new`` plus the keys of ``old`` that the address form does not edit (so a save never drops data)."""
    shown = {key for key, *_ in ADDRESS_KEYS}
    extra = {key: value for key, value in (old or {}).items() if key not in shown} if isinstance(old, dict) else {}
    return {**new, **extra} if new else {}
