"""Makerspaces, their weekly opening hours and closures."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from makrx.models import TimeStampedModel


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):  # OSError: e.g. a name too long
        raise ValidationError(f"{value!r} is not a known IANA time zone.")


class Makerspace(TimeStampedModel):
    """A physical makerspace: its machines are booked in its own time zone."""

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Open (joins are active at once)"
        APPROVAL = "approval", "Staff approval"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    address = models.TextField(blank=True)
    state_code = models.CharField(
        max_length=2, blank=True, help_text="GST state code of the address (e.g. 29 Karnataka); invoices' tax split."
    )
    gstin = models.CharField(max_length=15, blank=True, help_text="GST registration shown on invoices.")
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    join_policy = models.CharField(max_length=20, choices=JoinPolicy.choices, default=JoinPolicy.APPROVAL)
    active = models.BooleanField(default=True, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(join_policy__in=["open", "approval"]), name="makerspace_join_policy_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class OpeningHours(TimeStampedModel):
    """One opening interval on a weekday (0 = Monday) in the makerspace's local time; several per day allowed."""

    makerspace = models.ForeignKey(Makerspace, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ]
    )
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["makerspace", "weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="opening_hours_weekday_range"),
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="opening_hours_closes_after_opens"),
            models.UniqueConstraint(fields=["makerspace", "weekday", "opens"], name="opening_hours_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Closure(TimeStampedModel):
    """Whole days (inclusive) on which the makerspace is closed: holidays, events."""

    makerspace = models.ForeignKey(Makerspace, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["makerspace", "starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="closure_ends_on_after_starts_on"),
        ]

    def __str__(self) -> str:
        return f"{self.makerspace} closed {self.starts_on}–{self.ends_on}"
