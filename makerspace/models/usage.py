"""Actual machine use: the record invoices are later made from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from makrx.models import TimeStampedModel
from makrx.money import CurrencyField, MoneyField


class UsageSession(TimeStampedModel):
    """Start/stop of a machine's use, charged at the hourly rate captured at start; one open session per machine."""

    equipment = models.ForeignKey("makerspace.Equipment", on_delete=models.PROTECT, related_name="usage_sessions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="usage_sessions")
    member = models.ForeignKey(
        "makerspace.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="usage_sessions"
    )
    reservation = models.ForeignKey(
        "makerspace.Reservation", on_delete=models.SET_NULL, null=True, blank=True, related_name="usage_sessions"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    hourly_rate = MoneyField(default=0)
    amount = MoneyField(null=True, blank=True)
    currency = CurrencyField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)
    # Set when the access rules let this through with a warning (skill gate "warn"): shown to staff.
    access_flagged = models.BooleanField(default=False, db_index=True)
    access_warning = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["equipment"], condition=Q(ended_at__isnull=True), name="usage_one_open_session_per_equipment"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")), name="usage_ends_after_starts"
            ),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="usage_hourly_rate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.equipment} from {self.started_at:%Y-%m-%d %H:%M}"
