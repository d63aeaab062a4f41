"""Space settings writes: edit (managers), export and import as JSON (all or nothing), and the feature switch check.

Every value is checked here (the API's serializers and the admin's form both end in ``space_settings_update``):
unknown keys, wrong types and out-of-range values are refused with 400 and nothing is written.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db import transaction

from makerspace.models import Equipment, Makerspace, SpaceSettings
from makerspace.models.space_settings import FEATURES
from makerspace.selectors.space_settings import feature_enabled
from makrx.auth import scoping
from makrx.errors import NotFound, ValidationError

EXPORT_FORMAT = "makrx.space_settings"
EXPORT_VERSION = 1
APPROVAL_MODES = ("never", "always", "outside_staffed")
# name -> (kind, lowest, highest)
FIELDS: dict[str, tuple[str, object, object]] = {
    "min_booking_minutes": ("int", 1, 24 * 60),
    "max_booking_minutes": ("int", 1, 24 * 60),
    "lead_time_minutes": ("int", 0, 60 * 24 * 90),
    "booking_horizon_days": ("int", 1, 3 * 366),
    "cancel_cutoff_minutes": ("int", 0, 60 * 24 * 30),
    "default_approval": ("choice", APPROVAL_MODES, None),
    "tax_rate_percent": ("decimal", Decimal("0"), Decimal("100")),
    "currency": ("currency", None, None),
    "accepts_service_jobs": ("bool", None, None),
    "service_capabilities": ("capabilities", None, None),
    **{f"{feature}_enabled": ("bool", None, None) for feature in FEATURES},
}
CURRENCY = re.compile(r"^[A-Z]{3}$")


def _clean_value(name: str, value):  # noqa: PLR0911 - one branch per kind
    kind, low, high = FIELDS[name]
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f"A whole number from {low} to {high}.")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError("true or false.")
        return value
    if kind == "choice":
        if value not in low:
            raise ValueError(f"One of {', '.join(low)}.")
        return value
    if kind == "decimal":
        try:
            number = Decimal(str(value)) if not isinstance(value, bool) else None
        except (InvalidOperation, ValueError):
            number = None
        if (
            number is None
            or not number.is_finite()
            or not low <= number <= high
            or number != number.quantize(Decimal("0.01"))
        ):
            raise ValueError(f"A number from {low} to {high} with at most 2 decimals.")
        return number.quantize(Decimal("0.01"))
    if kind == "currency":
        if not isinstance(value, str) or not CURRENCY.match(value):
            raise ValueError("A three-letter ISO 4217 code, e.g. INR.")
        return value
    # capabilities: machine types offered to the store's service jobs
    if not isinstance(value, list) or len(value) > len(Equipment.Type.values):
        raise ValueError(f"A list of machine types: {', '.join(Equipment.Type.values)}.")
    if any(not isinstance(v, str) or v not in Equipment.Type.values for v in value) or len(set(value)) != len(value):
        raise ValueError(f"A list of distinct machine types: {', '.join(Equipment.Type.values)}.")
    return list(value)


def clean_settings(data) -> dict:
    """Checked values of a (partial) settings document; every problem is reported at once."""
    if not isinstance(data, dict):
        raise ValidationError("Settings are a JSON object.", errors={"settings": ["Must be an object."]})
    errors: dict[str, list[str]] = {}
    clean = {}
    for name, value in data.items():
        if name not in FIELDS:
            errors[str(name)[:100]] = ["Unknown setting."]
            continue
        try:
            clean[name] = _clean_value(name, value)
        except ValueError as exc:
            errors[name] = [str(exc)]
    if errors:
        raise ValidationError("Some settings are not valid.", errors=errors)
    return clean


def _locked_row(makerspace_id: int) -> SpaceSettings:
    """The settings row under a lock, created with the defaults on first use."""
    row, _ = SpaceSettings.objects.get_or_create(makerspace_id=makerspace_id)
    return SpaceSettings.objects.select_for_update().get(pk=row.pk)


@transaction.atomic
def space_settings_ensure(*, makerspace: Makerspace) -> SpaceSettings:
    """The makerspace's settings row, created with the defaults when missing (new spaces, on demand)."""
    row, _ = SpaceSettings.objects.get_or_create(makerspace_id=makerspace.pk)
    return row


@transaction.atomic
def space_settings_update(*, actor, makerspace: Makerspace, values: dict) -> SpaceSettings:
    """Change some settings of a makerspace (its managers); all given values are checked before any is saved."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=makerspace.pk)
    clean = clean_settings(values)
    row = _locked_row(makerspace.pk)
    for name, value in clean.items():
        setattr(row, name, value)
    if row.max_booking_minutes < row.min_booking_minutes:
        raise ValidationError(
            "The longest booking cannot be shorter than the shortest.",
            errors={"max_booking_minutes": ["Below min_booking_minutes."]},
        )
    if row.accepts_service_jobs is False and clean.get("service_capabilities"):
        raise ValidationError(
            "Service capabilities need accepts_service_jobs.", errors={"service_capabilities": ["Not accepting jobs."]}
        )
    row.save()
    return row


def space_settings_export(*, actor, makerspace: Makerspace) -> dict:
    """The makerspace's settings as a JSON document (managers), importable into any makerspace."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=makerspace.pk)
    row = SpaceSettings.objects.filter(makerspace_id=makerspace.pk).first() or SpaceSettings(makerspace=makerspace)
    values = {name: getattr(row, name) for name in FIELDS}
    values["tax_rate_percent"] = str(values["tax_rate_percent"])
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "settings": values}


@transaction.atomic
def space_settings_import(*, actor, makerspace: Makerspace, document) -> SpaceSettings:
    """Apply an exported document to a makerspace: every value checked first, then all saved or none."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=makerspace.pk)
    if not isinstance(document, dict):
        raise ValidationError("The import is a JSON object.", errors={"document": ["Must be an object."]})
    unknown = set(document) - {"format", "version", "settings"}
    errors = {str(key)[:100]: ["Unknown key."] for key in unknown}
    if document.get("format") != EXPORT_FORMAT:
        errors["format"] = [f"Must be {EXPORT_FORMAT!r}."]
    if document.get("version") != EXPORT_VERSION or isinstance(document.get("version"), bool):
        errors["version"] = [f"Must be {EXPORT_VERSION}."]
    if not isinstance(document.get("settings"), dict):
        errors["settings"] = ["Must be an object."]
    if errors:
        raise ValidationError("This is not a space settings export.", errors=errors)
    return space_settings_update(actor=actor, makerspace=makerspace, values=document["settings"])


def feature_require(*, makerspace_id: int, feature: str) -> None:
    """404 when the makerspace switched ``feature`` off: its endpoints answer as if nothing were there."""
    if not feature_enabled(makerspace_id=makerspace_id, feature=feature):
        raise NotFound(f"This makerspace does not offer {feature}.")


def space_settings_read(*, actor, makerspace: Makerspace) -> SpaceSettings:
    """The settings of a makerspace for its managers (the row is created with the defaults on first read)."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=makerspace.pk)
    return space_settings_ensure(makerspace=makerspace)
