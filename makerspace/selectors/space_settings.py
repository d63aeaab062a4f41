"""Space settings reads: a makerspace's settings (its row, or the defaults when it has none) and its booking rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from makerspace.models import SpaceSettings
from makerspace.models.space_settings import FEATURES


def space_settings_for(*, makerspace_id: int) -> SpaceSettings:
    """The makerspace's settings row; an unsaved row with the defaults when none exists yet (reads never write)."""
    found = SpaceSettings.objects.filter(makerspace_id=makerspace_id).first()
    return found if found is not None else SpaceSettings(makerspace_id=makerspace_id)


def feature_enabled(*, makerspace_id: int, feature: str) -> bool:
    if feature not in FEATURES:
        raise ValueError(f"Unknown feature {feature!r}.")
    row = SpaceSettings.objects.filter(makerspace_id=makerspace_id).values_list(f"{feature}_enabled", flat=True)
    found = list(row)
    return found[0] if found else True


def disabled_makerspace_ids(*, feature: str):
    """Ids of the makerspaces that switched ``feature`` off (a subquery: lists exclude their rows in one query)."""
    if feature not in FEATURES:
        raise ValueError(f"Unknown feature {feature!r}.")
    return SpaceSettings.objects.filter(**{f"{feature}_enabled": False}).values("makerspace_id")


@dataclass(frozen=True)
class BookingRules:
    min_length: timedelta
    max_length: timedelta
    lead_time: timedelta
    horizon: timedelta
    cancel_cutoff: timedelta


def booking_rules(*, makerspace_id: int | None) -> BookingRules:
    """The booking rules of a makerspace (the platform defaults for ``None`` or a space without a row)."""
    row = space_settings_for(makerspace_id=makerspace_id) if makerspace_id else SpaceSettings()
    return BookingRules(
        min_length=timedelta(minutes=row.min_booking_minutes),
        max_length=timedelta(minutes=row.max_booking_minutes),
        lead_time=timedelta(minutes=row.lead_time_minutes),
        horizon=timedelta(days=row.booking_horizon_days),
        cancel_cutoff=timedelta(minutes=row.cancel_cutoff_minutes),
    )
