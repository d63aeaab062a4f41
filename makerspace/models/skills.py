"""Skills (trainings) per makerspace and the grants members hold."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from makrx.models import TimeStampedModel


class Skill(TimeStampedModel):
    """A training a member must hold to use some machines; a higher level of the same name satisfies a lower one."""

    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(max_length=120)
    level = models.PositiveSmallIntegerField(default=1)
    description = models.TextField(blank=True)
    # Skills a member must hold before this one is granted or requested (same makerspace, no cycles).
    prerequisites = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="required_for")

    class Meta:
        ordering = ["makerspace", "name", "level"]
        constraints = [
            models.UniqueConstraint(fields=["makerspace", "name", "level"], name="skill_unique_per_makerspace"),
            models.CheckConstraint(condition=Q(level__gte=1), name="skill_level_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (level {self.level})"


class MemberSkillQuerySet(models.QuerySet):
    def active(self, at=None):
        """Grants that count at ``at``: not revoked and not expired."""
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, suspended_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=at)
        )


class MemberSkill(TimeStampedModel):
    """A skill granted to a member by staff, optionally expiring; revoked grants are kept as history."""

    member = models.ForeignKey("makerspace.Member", on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="member_skills")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    # Who trained the member (a staff user; defaults to the granter).
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set while a safety incident holds the grant pending review (the grant does not count meanwhile).
    suspended_at = models.DateTimeField(null=True, blank=True)
    # Set by expire_member_skills_task once the member has been told; keeps the task idempotent.
    expiry_notified_at = models.DateTimeField(null=True, blank=True)

    objects = MemberSkillQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            # One live (unrevoked) grant per member and skill; re-granting updates it.
            models.UniqueConstraint(
                fields=["member", "skill"], condition=Q(revoked_at__isnull=True), name="member_skill_one_live_grant"
            ),
        ]
        indexes = [models.Index(fields=["expires_at"], name="member_skill_expires_idx")]

    def __str__(self) -> str:
        return f"{self.member} — {self.skill}"

    def is_active_at(self, at=None) -> bool:
        at = at or timezone.now()
        return (
            self.revoked_at is None and self.suspended_at is None and (self.expires_at is None or self.expires_at > at)
        )


class MemberSkillEvent(TimeStampedModel):
    """Append-only audit of a member's skill: every grant, renewal, revoke, expiry, suspension and reinstatement."""

    class Action(models.TextChoices):
        GRANT = "grant", "Granted"
        RENEWAL = "renewal", "Renewed"
        REVOKE = "revoke", "Revoked"
        EXPIRY = "expiry", "Expired"
        SUSPEND = "suspend", "Suspended"
        REINSTATE = "reinstate", "Reinstated"

    member = models.ForeignKey("makerspace.Member", on_delete=models.CASCADE, related_name="skill_events")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="events")
    grant = models.ForeignKey(MemberSkill, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} — {self.skill}: {self.get_action_display()}"


class SkillRequest(TimeStampedModel):
    """A member asks to be trained on (granted) a skill; staff approve (grant) or reject it with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    member = models.ForeignKey("makerspace.Member", on_delete=models.CASCADE, related_name="skill_requests")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="requests")
    note = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    grant = models.ForeignKey(MemberSkill, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "skill"], condition=Q(status="pending"), name="skill_request_one_pending"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected"]), name="skill_request_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} asks for {self.skill}"
