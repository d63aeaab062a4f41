"""Waiting lists: members queue for a taken slot of a machine and are offered it, first come first served."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from makrx.models import TimeStampedModel


class WaitlistEntry(TimeStampedModel):
    """One member waiting for ``[starts_at, ends_at)`` on a machine; the line is ordered by (created_at, id).

    ``waiting`` → ``offered`` (held until ``offer_expires_at``) → ``claimed`` (a reservation was made) or
    ``expired`` (the offer passed to the next in line); ``cancelled`` when the member leaves the line.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        OFFERED = "offered", "Offered"
        CLAIMED = "claimed", "Claimed"
        EXPIRED = "expired", "Offer expired"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = ("waiting", "offered")

    equipment = models.ForeignKey("makerspace.Equipment", on_delete=models.CASCADE, related_name="waitlist")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries")
    member = models.ForeignKey(
        "makerspace.Member", on_delete=models.CASCADE, null=True, blank=True, related_name="waitlist_entries"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    reservation = models.OneToOneField(
        "makerspace.Reservation", on_delete=models.SET_NULL, null=True, blank=True, related_name="waitlist_entry"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "waiting list entries"
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="waitlist_ends_after_starts"),
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "offered", "claimed", "expired", "cancelled"]),
                name="waitlist_status_valid",
            ),
            models.UniqueConstraint(
                fields=["equipment", "user", "starts_at", "ends_at"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_one_open_entry_per_slot",
            ),
        ]
        indexes = [models.Index(fields=["equipment", "status", "starts_at"], name="waitlist_equip_status_idx")]

    def __str__(self) -> str:
        return f"{self.user} waits for {self.equipment} {self.starts_at:%Y-%m-%d %H:%M} ({self.status})"
