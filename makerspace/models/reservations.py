"""Reservations of machines for a time range.

No two *active* reservations of one machine overlap: the service checks it, and on PostgreSQL the exclusion
constraint ``reservation_no_overlap`` (migration 0002, btree_gist) makes it impossible even under races.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from makrx.models import TimeStampedModel
from makrx.money import CurrencyField, MoneyField


class ReservationSeries(TimeStampedModel):
    """A recurring booking: its occurrences are Reservations booked together, all or none."""

    class Every(models.TextChoices):
        DAY = "day", "Daily"
        WEEK = "week", "Weekly"

    equipment = models.ForeignKey("makerspace.Equipment", on_delete=models.PROTECT, related_name="series")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reservation_series")
    every = models.CharField(max_length=4, choices=Every.choices)
    count = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "reservation series"
        constraints = [
            models.CheckConstraint(condition=Q(every__in=["day", "week"]), name="series_every_valid"),
            models.CheckConstraint(condition=Q(count__gte=1), name="series_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.equipment} every {self.every} × {self.count}"


class Reservation(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CONFIRMED = "confirmed", "Confirmed"
        CHECKED_IN = "checked_in", "Checked in"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No show"
        REJECTED = "rejected", "Rejected"

    # Statuses that hold the slot (must match the exclusion constraint's WHERE clause).
    ACTIVE_STATUSES = ("pending", "confirmed", "checked_in")

    equipment = models.ForeignKey("makerspace.Equipment", on_delete=models.PROTECT, related_name="reservations")
    # The person the slot is for; ``member`` is null when a platform admin books without a membership.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reservations")
    member = models.ForeignKey(
        "makerspace.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="reservations"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CONFIRMED, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(max_length=500, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    # The price it was booked at (later rule changes never reprice it).
    price = MoneyField(default=0)
    deposit = MoneyField(default=0)
    currency = CurrencyField()
    price_lines = models.JSONField(default=list, blank=True)
    # Minutes of the plan's included hours this booking uses (the rest is overage, priced).
    included_minutes = models.PositiveIntegerField(default=0)
    subscription = models.ForeignKey(
        "makerspace.Subscription", on_delete=models.SET_NULL, null=True, blank=True, related_name="reservations"
    )
    promo_code = models.ForeignKey(
        "makerspace.PromoCode", on_delete=models.SET_NULL, null=True, blank=True, related_name="reservations"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_reservations",
    )
    emergency = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    series = models.ForeignKey(
        "makerspace.ReservationSeries", on_delete=models.SET_NULL, null=True, blank=True, related_name="reservations"
    )
    # Set when the access rules let this through with a warning (skill gate "warn"): shown to staff.
    access_flagged = models.BooleanField(default=False, db_index=True)
    access_warning = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="reservation_ends_after_starts"),
            models.CheckConstraint(
                condition=Q(
                    status__in=["pending", "confirmed", "checked_in", "completed", "cancelled", "no_show", "rejected"]
                ),
                name="reservation_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["equipment", "starts_at"], name="reservation_equip_start_idx"),
            models.Index(fields=["user", "starts_at"], name="reservation_user_start_idx"),
            models.Index(fields=["member", "starts_at"], name="reservation_member_start_idx"),
            models.Index(fields=["status", "starts_at"], name="reservation_status_start_idx"),
        ]

    def __str__(self) -> str:
        # Labelled UTC: a str() has no makerspace at hand; admin pages show the space's local time instead.
        return f"{self.equipment} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} UTC ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class ReservationEvent(TimeStampedModel):
    """Append-only history of a reservation: every state change with who made it and why."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        RELEASED = "released", "Released (not approved in time)"
        CANCELLED = "cancelled", "Cancelled"
        CHECKED_IN = "checked_in", "Checked in"
        NO_SHOW = "no_show", "No-show"
        COMPLETED = "completed", "Completed"
        DISPLACED = "displaced", "Displaced by an emergency booking"

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["reservation", "created_at"], name="reservation_event_idx")]

    def __str__(self) -> str:
        return f"{self.reservation_id}: {self.kind} ({self.from_status or '∅'} → {self.to_status})"
