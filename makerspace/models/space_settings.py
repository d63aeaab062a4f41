"""One settings record per makerspace: booking rules, approval default, tax, store service jobs, feature switches.

The booking rules' defaults are the platform-wide values (``MAKERSPACE_CANCEL_CUTOFF_MINUTES`` and the
reservation service's former constants); a makerspace without a row behaves exactly like those defaults.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from makrx.models import TimeStampedModel
from makrx.money import CurrencyField

FEATURES = ("waitlist", "ratings", "badges", "projects", "inventory")


def default_tax_rate_percent():
    """New spaces charge the platform's ``DEFAULT_TAX_RATE`` (18 % GST) until staff set their own rate."""
    return settings.DEFAULT_TAX_RATE


def default_cancel_cutoff_minutes() -> int:
    return int(getattr(settings, "MAKERSPACE_CANCEL_CUTOFF_MINUTES", 120))


class SpaceSettings(TimeStampedModel):
    makerspace = models.OneToOneField("makerspace.Makerspace", on_delete=models.CASCADE, related_name="space_settings")
    # booking rules
    min_booking_minutes = models.PositiveIntegerField(default=5, help_text="Shortest reservation (minutes).")
    max_booking_minutes = models.PositiveIntegerField(default=24 * 60, help_text="Longest reservation (minutes).")
    lead_time_minutes = models.PositiveIntegerField(
        default=0, help_text="Members book at least this long before the start (staff are not bound)."
    )
    booking_horizon_days = models.PositiveIntegerField(default=366, help_text="How far ahead bookings open (days).")
    cancel_cutoff_minutes = models.PositiveIntegerField(
        default=default_cancel_cutoff_minutes,
        help_text="Members cancel their own reservation until this long before the start (staff any time).",
    )
    # approval default: the approval mode new machines of this makerspace start with (a price threshold is per machine)
    default_approval = models.CharField(
        max_length=16,
        choices=[
            ("never", "Never"),
            ("always", "Always"),
            ("outside_staffed", "Outside staffed hours"),
        ],
        default="never",
    )
    # tax
    tax_rate_percent = models.DecimalField(max_digits=5, decimal_places=2, default=default_tax_rate_percent)
    currency = CurrencyField()
    # service jobs from the store
    accepts_service_jobs = models.BooleanField(default=False)
    service_capabilities = models.JSONField(
        default=list, blank=True, help_text="Machine types offered to the store's service jobs, e.g. ['3d_printer']."
    )
    # feature switches (off: the feature's endpoints answer 404 for this makerspace)
    waitlist_enabled = models.BooleanField(default=True)
    ratings_enabled = models.BooleanField(default=True)
    badges_enabled = models.BooleanField(default=True)
    projects_enabled = models.BooleanField(default=True)
    inventory_enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name = "space settings"
        verbose_name_plural = "space settings"
        constraints = [
            models.CheckConstraint(condition=Q(min_booking_minutes__gte=1), name="space_settings_min_positive"),
            models.CheckConstraint(
                condition=Q(max_booking_minutes__gte=models.F("min_booking_minutes")),
                name="space_settings_max_not_below_min",
            ),
            models.CheckConstraint(
                condition=Q(tax_rate_percent__gte=0) & Q(tax_rate_percent__lte=100),
                name="space_settings_tax_rate_range",
            ),
            models.CheckConstraint(
                condition=Q(default_approval__in=["never", "always", "outside_staffed"]),
                name="space_settings_default_approval_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Settings of {self.makerspace}"

    def feature_enabled(self, feature: str) -> bool:
        return bool(getattr(self, f"{feature}_enabled"))
