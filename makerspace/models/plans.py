"""Membership plans and members' subscriptions to them."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from makrx.models import TimeStampedModel
from makrx.money import CurrencyField, MoneyField


class MembershipPlan(TimeStampedModel):
    """What a membership costs and what it allows.

    ``equipment_types`` lists the Equipment.Type values the plan covers; an empty list covers every type.
    A null limit means "no limit".
    """

    class BillingPeriod(models.TextChoices):
        HOUR = "hour", "Hourly"
        DAY = "day", "Daily"
        WEEK = "week", "Weekly"
        MONTH = "month", "Monthly"
        QUARTER = "quarter", "Quarterly"
        YEAR = "year", "Yearly"
        LIFETIME = "lifetime", "Lifetime"

    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    price = MoneyField(default=0)
    currency = CurrencyField()
    billing_period = models.CharField(max_length=10, choices=BillingPeriod.choices, default=BillingPeriod.MONTH)
    included_hours = models.DecimalField(
        max_digits=7, decimal_places=2, default=0, help_text="Machine hours included per billing period."
    )
    equipment_types = models.JSONField(default=list, blank=True, help_text="Equipment types covered; empty = all.")
    max_reservation_minutes = models.PositiveIntegerField(null=True, blank=True)
    max_reservations_per_week = models.PositiveIntegerField(null=True, blank=True)
    allow_overage = models.BooleanField(
        default=True,
        help_text="Hours beyond the included hours may be booked and are priced; off: the included hours are a cap.",
    )
    trial_days = models.PositiveIntegerField(
        default=0, help_text="A first subscription to this plan starts with this many free days (0: no trial)."
    )
    active = models.BooleanField(default=True, db_index=True)

    class Meta:
        ordering = ["makerspace", "price", "name"]
        constraints = [
            models.UniqueConstraint(fields=["makerspace", "name"], name="plan_unique_name_per_makerspace"),
            models.CheckConstraint(condition=Q(price__gte=0), name="plan_price_not_negative"),
            models.CheckConstraint(condition=Q(included_hours__gte=0), name="plan_included_hours_not_negative"),
            models.CheckConstraint(
                condition=Q(billing_period__in=["hour", "day", "week", "month", "quarter", "year", "lifetime"]),
                name="plan_billing_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.makerspace})"

    def covers_equipment_type(self, equipment_type: str) -> bool:
        return not self.equipment_types or equipment_type in self.equipment_types


class Subscription(TimeStampedModel):
    """A member's paid period on a plan; renewal creates the next one (``renewed_from``)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

    member = models.ForeignKey("makerspace.Member", on_delete=models.CASCADE, related_name="subscriptions")
    plan = models.ForeignKey(MembershipPlan, on_delete=models.PROTECT, related_name="subscriptions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    auto_renew = models.BooleanField(default=False)
    renewed_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="renewed_by"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    trial_ends_at = models.DateTimeField(null=True, blank=True, help_text="End of the free trial, if any.")

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="subscription_ends_after_starts"),
            models.CheckConstraint(
                condition=Q(status__in=["active", "expired", "cancelled"]), name="subscription_status_valid"
            ),
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="active"), name="subscription_one_active_per_member"
            ),
        ]
        indexes = [models.Index(fields=["status", "ends_at"], name="subscription_status_end_idx")]

    def __str__(self) -> str:
        return f"{self.member} on {self.plan.name} until {self.ends_at:%Y-%m-%d}"
