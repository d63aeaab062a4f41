"""Maintenance tickets and scheduled maintenance windows per machine."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from makrx.models import TimeStampedModel


class MaintenanceTicket(TimeStampedModel):
    """A reported problem; an open blocking ticket takes the machine out of service."""

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    OPEN_STATUSES = ("open", "in_progress")

    equipment = models.ForeignKey("makerspace.Equipment", on_delete=models.CASCADE, related_name="tickets")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM, db_index=True)
    blocking = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Preventive tickets: the interval that opened it and the due date it stands for (one ticket per due date).
    interval = models.ForeignKey(
        "makerspace.MaintenanceInterval", on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["interval", "due_at"], condition=Q(interval__isnull=False), name="ticket_once_per_due_date"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=["low", "medium", "high", "critical"]), name="ticket_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "in_progress", "resolved", "closed"]), name="ticket_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class MaintenanceWindow(TimeStampedModel):
    """A scheduled period when the machine cannot be booked."""

    equipment = models.ForeignKey("makerspace.Equipment", on_delete=models.CASCADE, related_name="maintenance_windows")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="maintenance_window_ends_after_starts"
            ),
        ]
        indexes = [models.Index(fields=["equipment", "starts_at"], name="maint_window_equipment_idx")]

    def __str__(self) -> str:
        return f"{self.equipment} maintenance {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} UTC"


class MaintenanceInterval(TimeStampedModel):
    """Preventive maintenance every N hours of use or every N days, counted from ``starts_at`` or the last service."""

    equipment = models.ForeignKey(
        "makerspace.Equipment", on_delete=models.CASCADE, related_name="maintenance_intervals"
    )
    title = models.CharField(max_length=200)
    every_hours = models.PositiveIntegerField(null=True, blank=True, help_text="Hours of use between services.")
    every_days = models.PositiveIntegerField(null=True, blank=True, help_text="Days between services.")
    starts_at = models.DateTimeField(help_text="Counting starts here until the first preventive ticket is resolved.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["equipment", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(every_hours__isnull=False, every_days__isnull=True, every_hours__gte=1)
                    | Q(every_hours__isnull=True, every_days__isnull=False, every_days__gte=1)
                ),
                name="interval_hours_xor_days",
            ),
        ]

    def __str__(self) -> str:
        every = f"{self.every_hours} h of use" if self.every_hours else f"{self.every_days} days"
        return f"{self.equipment}: {self.title} every {every}"
