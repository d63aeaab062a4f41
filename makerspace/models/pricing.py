"""Cost rules that price a booking, and promo codes that discount it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from makrx.models import TimeStampedModel
from makrx.money import MoneyField


class CostRule(TimeStampedModel):
    """One pricing rule of a makerspace, applied in ``priority`` order (lower first) to matching bookings.

    Amounts are in the machine's currency. ``equipment`` or ``equipment_type`` narrow the machines a rule
    applies to (both empty: every machine of the makerspace). The parameters each kind reads:

    - ``flat_fee``: ``amount`` added once;
    - ``hourly_rate``: ``amount`` per billable hour (replaces the machine's own hourly rate);
    - ``tiered_hours``: ``tiers`` ``[{"up_to_hours": 2, "rate": "100"}, {"up_to_hours": null, "rate": "80"}]``
      (replaces the hourly rate; each tier prices the billable hours that fall in it);
    - ``time_multiplier``: ``percent`` (150 = ×1.5) on the time charge for the minutes inside
      ``weekdays`` (0 = Monday; empty = every day) and ``[start_time, end_time)`` local (empty = all day);
    - ``plan_discount``: ``percent`` off the running total for members on ``plan`` (empty: any plan);
    - ``skill_premium``: ``amount`` added when the machine requires ``skill``;
    - ``minimum_charge``: the running total is raised to ``amount``;
    - ``deposit``: ``amount`` fixed, or ``percent`` of the final total (computed last).
    """

    class Kind(models.TextChoices):
        FLAT_FEE = "flat_fee", "Flat fee"
        HOURLY_RATE = "hourly_rate", "Hourly rate"
        TIERED_HOURS = "tiered_hours", "Tiered hours"
        TIME_MULTIPLIER = "time_multiplier", "Time-of-day / day-of-week multiplier"
        PLAN_DISCOUNT = "plan_discount", "Membership discount"
        SKILL_PREMIUM = "skill_premium", "Skill premium"
        MINIMUM_CHARGE = "minimum_charge", "Minimum charge"
        DEPOSIT = "deposit", "Deposit"

    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.CASCADE, related_name="cost_rules")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    priority = models.PositiveIntegerField(default=100)
    active = models.BooleanField(default=True, db_index=True)
    equipment = models.ForeignKey(
        "makerspace.Equipment", on_delete=models.CASCADE, null=True, blank=True, related_name="cost_rules"
    )
    equipment_type = models.CharField(max_length=20, blank=True)
    amount = MoneyField(null=True, blank=True)
    percent = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    tiers = models.JSONField(default=list, blank=True)
    weekdays = models.JSONField(default=list, blank=True)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    plan = models.ForeignKey(
        "makerspace.MembershipPlan", on_delete=models.CASCADE, null=True, blank=True, related_name="cost_rules"
    )
    skill = models.ForeignKey("makerspace.Skill", on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["makerspace", "priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "flat_fee",
                        "hourly_rate",
                        "tiered_hours",
                        "time_multiplier",
                        "plan_discount",
                        "skill_premium",
                        "minimum_charge",
                        "deposit",
                    ]
                ),
                name="cost_rule_kind_valid",
            ),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="cost_rule_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0), name="cost_rule_percent_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["makerspace", "active", "priority"], name="cost_rule_space_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class PromoCode(TimeStampedModel):
    """A discount code for bookings of one makerspace: percentage or fixed, a validity window, a redemption cap."""

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percentage"
        FIXED = "fixed", "Fixed amount"

    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.CASCADE, related_name="promo_codes")
    code = models.CharField(max_length=40, help_text="Matched case-insensitively; stored upper case.")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    max_redemptions = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    redemptions = models.PositiveIntegerField(default=0, editable=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["makerspace", "code"]
        constraints = [
            models.UniqueConstraint(fields=["makerspace", "code"], name="promo_code_unique_per_makerspace"),
            models.CheckConstraint(condition=Q(kind__in=["percent", "fixed"]), name="promo_code_kind_valid"),
            models.CheckConstraint(condition=Q(value__gt=0), name="promo_code_value_positive"),
            models.CheckConstraint(
                condition=Q(max_redemptions__isnull=True) | Q(redemptions__lte=F("max_redemptions")),
                name="promo_code_redemptions_within_max",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class PromoRedemption(TimeStampedModel):
    """One use of a promo code (by a booking); the code's ``redemptions`` counter equals their number."""

    promo_code = models.ForeignKey(PromoCode, on_delete=models.PROTECT, related_name="redemption_rows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reservation = models.OneToOneField(
        "makerspace.Reservation", on_delete=models.CASCADE, null=True, blank=True, related_name="promo_redemption"
    )
    discount = MoneyField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.promo_code} by {self.user}"
