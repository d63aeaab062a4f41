"""Memberships of users in makerspaces, and their change history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from makrx.models import TimeStampedModel


class Member(TimeStampedModel):
    """A user's membership of one makerspace: role there and status (pending → active → suspended/expired)."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        STAFF = "staff", "Staff"
        MANAGER = "manager", "Manager"
        ADMIN = "admin", "Admin"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending approval"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        EXPIRED = "expired", "Expired"
        REJECTED = "rejected", "Rejected"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="makerspace_memberships")
    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    plan = models.ForeignKey(
        "makerspace.MembershipPlan", on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    joined_at = models.DateTimeField(null=True, blank=True, help_text="When the membership first became active.")
    status_reason = models.CharField(max_length=500, blank=True)
    # Billing details printed on invoices; the state code decides CGST + SGST (same state) or IGST (another).
    billing_name = models.CharField(max_length=200, blank=True)
    billing_address = models.TextField(blank=True)
    billing_state_code = models.CharField(max_length=2, blank=True)
    billing_gstin = models.CharField(max_length=15, blank=True)

    class Meta:
        ordering = ["makerspace", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "makerspace"], name="member_unique_user_makerspace"),
            models.CheckConstraint(
                condition=Q(role__in=["member", "staff", "manager", "admin"]), name="member_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "active", "suspended", "expired", "rejected"]),
                name="member_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["makerspace", "status"], name="member_space_status_idx")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.makerspace}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class MemberEvent(TimeStampedModel):
    """Append-only history of a membership's status and role changes."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    from_role = models.CharField(max_length=10, blank=True)
    to_role = models.CharField(max_length=10, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        change = f"{self.from_status or '∅'}→{self.to_status}" if self.to_status != self.from_status else ""
        role = f" role {self.from_role}→{self.to_role}" if self.to_role != self.from_role else ""
        return f"{self.member}: {change}{role}".strip()
