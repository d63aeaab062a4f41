"""Makerspace writes: create and edit spaces, their opening hours and closures (each checks its actor)."""

from __future__ import annotations

from datetime import date, time

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.text import slugify

from makerspace.models import Closure, Makerspace, OpeningHours, SpaceSettings
from makrx.auth.scoping import SYSTEM, makerspace_manager_require, platform_admin_require
from makrx.errors import ConflictError, ValidationError

MAKERSPACE_FIELDS = (
    "name",
    "slug",
    "description",
    "timezone",
    "address",
    "contact_email",
    "contact_phone",
    "join_policy",
    "active",
)


def _full_clean(obj, *, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        raise ValidationError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()), errors=exc.message_dict
        )


@transaction.atomic
def makerspace_create(*, actor, name: str, **fields) -> Makerspace:
    """Create a makerspace (platform admins, or ``SYSTEM`` for seed data); the slug comes from the name unless given."""
    if actor is not SYSTEM:
        platform_admin_require(user=actor)
    unknown = set(fields) - set(MAKERSPACE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    makerspace = Makerspace(name=name, **fields)
    makerspace.slug = makerspace.slug or slugify(name)[:100] or "makerspace"
    if Makerspace.objects.filter(slug=makerspace.slug).exists():
        raise ConflictError(f"A makerspace with slug {makerspace.slug!r} already exists.", code="duplicate")
    _full_clean(makerspace)
    makerspace.save()
    SpaceSettings.objects.create(makerspace=makerspace)  # the defaults: the platform-wide booking rules
    return makerspace


@transaction.atomic
def makerspace_update(*, makerspace: Makerspace, actor, **fields) -> Makerspace:
    """Edit a makerspace's facts (its managers)."""
    makerspace_manager_require(user=actor, makerspace_id=makerspace.pk)
    makerspace = Makerspace.objects.select_for_update().get(pk=makerspace.pk)
    for name, value in fields.items():
        if name not in MAKERSPACE_FIELDS:
            raise ValidationError(f"Unknown field {name!r}.")
        setattr(makerspace, name, value)
    if Makerspace.objects.filter(slug=makerspace.slug).exclude(pk=makerspace.pk).exists():
        raise ConflictError(f"A makerspace with slug {makerspace.slug!r} already exists.", code="duplicate")
    _full_clean(makerspace)
    makerspace.save()
    return makerspace


@transaction.atomic
def opening_hours_set(*, makerspace: Makerspace, intervals: list[dict], actor) -> list[OpeningHours]:
    """Replace the weekly opening hours with ``intervals`` [{weekday, opens, closes}] (local time; managers).

    Intervals of one day must not overlap; an empty list means the makerspace is never open.
    """
    makerspace_manager_require(user=actor, makerspace_id=makerspace.pk)
    Makerspace.objects.select_for_update().get(pk=makerspace.pk)
    by_day: dict[int, list[tuple[time, time]]] = {}
    for interval in intervals:
        weekday, opens, closes = interval["weekday"], interval["opens"], interval["closes"]
        if not 0 <= weekday <= 6:
            raise ValidationError("weekday must be 0 (Monday) to 6 (Sunday).", errors={"weekday": ["Out of range."]})
        if closes <= opens:
            raise ValidationError(
                f"Closing time {closes:%H:%M} must be after opening time {opens:%H:%M}.",
                errors={"closes": ["Must be after opens."]},
            )
        by_day.setdefault(weekday, []).append((opens, closes))
    for weekday, day in by_day.items():
        day.sort()
        for (_, previous_close), (next_open, _) in zip(day, day[1:], strict=False):
            if next_open < previous_close:
                raise ValidationError(
                    f"Opening intervals on weekday {weekday} overlap.", errors={"intervals": ["Intervals overlap."]}
                )
    OpeningHours.objects.filter(makerspace=makerspace).delete()
    return OpeningHours.objects.bulk_create(
        [
            OpeningHours(makerspace=makerspace, weekday=weekday, opens=opens, closes=closes)
            for weekday, day in sorted(by_day.items())
            for opens, closes in day
        ]
    )


@transaction.atomic
def closure_create(*, makerspace: Makerspace, starts_on: date, ends_on: date, actor, reason: str = "") -> Closure:
    """Close the makerspace for whole local days (managers)."""
    makerspace_manager_require(user=actor, makerspace_id=makerspace.pk)
    if ends_on < starts_on:
        raise ValidationError("ends_on must not be before starts_on.", errors={"ends_on": ["Before starts_on."]})
    return Closure.objects.create(makerspace=makerspace, starts_on=starts_on, ends_on=ends_on, reason=reason)


@transaction.atomic
def closure_delete(*, closure: Closure, actor) -> None:
    """Remove a closure (managers)."""
    makerspace_manager_require(user=actor, makerspace_id=closure.makerspace_id)
    closure.delete()
