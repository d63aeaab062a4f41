"""Badges: recognition a member earns automatically once their skills or completed sessions meet its criteria."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from makrx.models import TimeStampedModel


class Badge(TimeStampedModel):
    """Criteria: every listed skill held, and at least ``min_completed_sessions`` finished usage sessions."""

    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.CASCADE, related_name="badges")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    required_skills = models.ManyToManyField("makerspace.Skill", blank=True, related_name="badges")
    min_completed_sessions = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["makerspace", "name"]
        constraints = [models.UniqueConstraint(fields=["makerspace", "name"], name="badge_unique_name_per_makerspace")]

    def __str__(self) -> str:
        return self.name


class MemberBadge(TimeStampedModel):
    """A badge a member holds; awarded once (the pair is unique), kept when criteria later lapse."""

    member = models.ForeignKey("makerspace.Member", on_delete=models.CASCADE, related_name="badges")
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-awarded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["member", "badge"], name="member_badge_once")]

    def __str__(self) -> str:
        return f"{self.member} — {self.badge}"
