"""Skills and members' skill grants: create, grant (optionally expiring), revoke, expire and notify.

Managers define skills; staff grant and revoke them, never on their own membership (a platform admin
excepted), and only an admin of the makerspace changes an ``admin`` member's skills. Expiry runs as
``SYSTEM`` from the scheduled task.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from makerspace.models import Member, MemberSkill, Skill
from makerspace.services.members import member_action_require
from makrx.auth import scoping
from makrx.errors import ConflictError, NotFound, ValidationError
from makrx.notifications import notify

logger = logging.getLogger(__name__)


def _check_unique(skill: Skill) -> None:
    clash = Skill.objects.filter(makerspace_id=skill.makerspace_id, name=skill.name, level=skill.level)
    if clash.exclude(pk=skill.pk).exists():
        raise ConflictError(f"Skill {skill.name!r} level {skill.level} already exists here.", code="duplicate")


@transaction.atomic
def skill_create(*, makerspace, name: str, actor, level: int = 1, description: str = "") -> Skill:
    """A new skill of the makerspace (managers)."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=makerspace.pk)
    if level < 1:
        raise ValidationError("level must be at least 1.", errors={"level": ["Must be at least 1."]})
    skill = Skill(makerspace=makerspace, name=name.strip(), level=level, description=description)
    _check_unique(skill)
    skill.save()
    return skill


@transaction.atomic
def skill_update(*, skill: Skill, actor, **fields) -> Skill:
    """Edit a skill (managers of its makerspace)."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=skill.makerspace_id)
    skill = Skill.objects.select_for_update().get(pk=skill.pk)
    for name, value in fields.items():
        if name not in ("name", "level", "description"):
            raise ValidationError(f"Unknown field {name!r}.")
        setattr(skill, name, value.strip() if name == "name" else value)
    if skill.level < 1:
        raise ValidationError("level must be at least 1.", errors={"level": ["Must be at least 1."]})
    _check_unique(skill)
    skill.save()
    return skill


@transaction.atomic
def member_skill_grant(
    *, member: Member, skill: Skill, actor, expires_at: datetime | None = None
) -> tuple[MemberSkill, bool]:
    """Grant a skill (staff, not to themselves); granting a skill the member holds renews it.

    Returns (grant, created).
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    member_action_require(member=member, actor=actor, staff=True)
    if skill.makerspace_id != member.makerspace_id:
        raise ValidationError("The skill belongs to another makerspace.", errors={"skill": ["Wrong makerspace."]})
    if member.status in (Member.Status.REJECTED, Member.Status.PENDING):
        raise ConflictError(
            "Skills are granted to members, not to pending or rejected applicants.", code="membership_inactive"
        )
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationError("expires_at must be in the future.", errors={"expires_at": ["Must be in the future."]})
    grant = MemberSkill.objects.select_for_update().filter(member=member, skill=skill, revoked_at__isnull=True).first()
    created = grant is None
    if created:
        grant = MemberSkill(member=member, skill=skill)
    grant.granted_by = actor
    grant.granted_at = now
    grant.expires_at = expires_at
    grant.expiry_notified_at = None
    grant.save()
    logger.info("skill %s granted to member %s until %s", skill.pk, member.pk, expires_at)
    return grant, created


@transaction.atomic
def member_skill_revoke(*, member: Member, skill_id: int, actor) -> MemberSkill:
    """Take a skill away (staff, not their own)."""
    member_action_require(member=member, actor=actor, staff=True)
    grant = (
        MemberSkill.objects.select_for_update()
        .filter(member=member, skill_id=skill_id, revoked_at__isnull=True)
        .first()
    )
    if grant is None:
        raise NotFound("This member does not hold that skill.")
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    return grant


def _notify_expired(grant_id: int) -> None:
    grant = MemberSkill.objects.select_related("member__user", "member__makerspace", "skill").get(pk=grant_id)
    notify(
        grant.member.user,
        "skill.expired",
        {
            "skill": str(grant.skill),
            "makerspace": str(grant.member.makerspace),
            "expired_at": f"{grant.expires_at:%Y-%m-%d %H:%M} UTC",
        },
        makerspace=grant.member.makerspace_id,
    )


@transaction.atomic
def member_skill_expire(*, grant_id: int, now: datetime | None = None) -> bool:
    """Mark an expired grant as notified and tell the member after commit; False if nothing to do (system path)."""
    now = now or timezone.now()
    grant = MemberSkill.objects.select_for_update().filter(pk=grant_id).first()
    if grant is None or grant.revoked_at or grant.expiry_notified_at or not grant.expires_at or grant.expires_at > now:
        return False
    grant.expiry_notified_at = now
    grant.save(update_fields=["expiry_notified_at", "updated_at"])
    _notify_expired(grant_id)
    return True


def member_skills_expire_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    ids = list(
        MemberSkill.objects.filter(
            revoked_at__isnull=True, expiry_notified_at__isnull=True, expires_at__lte=now
        ).values_list("id", flat=True)
    )
    return sum(member_skill_expire(grant_id=grant_id, now=now) for grant_id in ids)
