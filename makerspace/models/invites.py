"""Invitations to join a makerspace: a single-use token (stored as its sha256 only), valid for a week."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from makerspace.models.members import Member
from makrx.models import TimeStampedModel


class Invite(TimeStampedModel):
    """Staff invite an email address with a role and optional plan; the link's token is never stored in clear."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Member.Role.choices, default=Member.Role.MEMBER)
    plan = models.ForeignKey(
        "makerspace.MembershipPlan", on_delete=models.SET_NULL, null=True, blank=True, related_name="invites"
    )
    # sha256 hex of the current token; resending replaces it (the old link dies).
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    sent_count = models.PositiveIntegerField(default=1)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        "makerspace.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="invites"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["member", "staff", "manager", "admin"]), name="invite_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["makerspace", "email"], name="invite_space_email_idx")]

    def __str__(self) -> str:
        return f"{self.email} → {self.makerspace} ({self.role})"

    def status_at(self, at=None) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= (at or timezone.now()):
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self) -> str:
        return self.status_at()
