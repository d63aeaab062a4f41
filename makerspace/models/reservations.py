"""Reservations of machines for a time range.

No two *active* reservations of one machine overlap: the service checks it, and on PostgreSQL the exclusion
constraint ``reservation_no_overlap`` (migration 0002, btree_gist) makes it impossible even under races.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from makrx.models import TimeStampedModel


class Reservation(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CONFIRMED = "confirmed", "Confirmed"
        CHECKED_IN = "checked_in", "Checked in"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No show"

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

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="reservation_ends_after_starts"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "confirmed", "checked_in", "completed", "cancelled", "no_show"]),
                name="reservation_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["equipment", "starts_at"], name="reservation_equip_start_idx"),
            models.Index(fields=["user", "starts_at"], name="reservation_user_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.equipment} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES
