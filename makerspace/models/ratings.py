"""Members' ratings of machines they used: 1–5 with a comment, one per member and machine, editable."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from makrx.models import TimeStampedModel


class EquipmentRating(TimeStampedModel):
    equipment = models.ForeignKey("makerspace.Equipment", on_delete=models.CASCADE, related_name="ratings")
    member = models.ForeignKey("makerspace.Member", on_delete=models.CASCADE, related_name="equipment_ratings")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["equipment", "member"], name="rating_one_per_member_machine"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.equipment}: {self.score}/5 by {self.member}"
