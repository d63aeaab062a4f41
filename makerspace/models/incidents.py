"""Safety incidents on machines, filed and worked by staff (open → investigating → closed)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from makrx.models import TimeStampedModel


class SafetyIncident(TimeStampedModel):
    """What happened on which machine to whom; a severe one may suspend the member's skills for that machine."""

    class Severity(models.TextChoices):
        MINOR = "minor", "Minor"
        MODERATE = "moderate", "Moderate"
        SERIOUS = "serious", "Serious"
        SEVERE = "severe", "Severe"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        INVESTIGATING = "investigating", "Investigating"
        CLOSED = "closed", "Closed"

    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.CASCADE, related_name="incidents")
    equipment = models.ForeignKey("makerspace.Equipment", on_delete=models.PROTECT, related_name="incidents")
    member = models.ForeignKey(
        "makerspace.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    severity = models.CharField(max_length=10, choices=Severity.choices, db_index=True)
    description = models.TextField()
    actions_taken = models.TextField(blank=True)
    status = models.CharField(max_length=13, choices=Status.choices, default=Status.OPEN, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Grants held pending review because of this incident (reinstated, or not, when it closes).
    suspended_grants = models.ManyToManyField("makerspace.MemberSkill", blank=True, related_name="incidents")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=["minor", "moderate", "serious", "severe"]), name="incident_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "investigating", "closed"]), name="incident_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["makerspace", "status"], name="incident_space_status_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_severity_display()} on {self.equipment}"
