"""Skills and members' skill grants: create, prerequisites, grant (optionally expiring), revoke, expire, suspend.

Managers define skills and their prerequisites (skills of the same makerspace, a graph without cycles);
staff grant and revoke them, never on their own membership (a platform admin excepted), and only an
admin of the makerspace changes an ``admin`` member's skills. A grant needs the skill's prerequisites
held (409 ``prerequisite_missing``). Expiry runs as ``SYSTEM`` from the scheduled task. Every grant,
renewal, revoke, expiry, suspension and reinstatement writes a ``MemberSkillEvent`` (who, when, why).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from makerspace.models import Makerspace, Member, MemberSkill, MemberSkillEvent, Skill, SkillRequest
from makerspace.services import badges as badge_services
from makerspace.services.members import member_action_require
from makrx.auth import scoping
from makrx.auth.scoping import SYSTEM
from makrx.errors import ConflictError, InvalidTransition, NotFound, ValidationError
from makrx.notifications import notify

logger = logging.getLogger(__name__)

Action = MemberSkillEvent.Action


def _audit(*, grant: MemberSkill, action: str, actor, reason: str = "") -> MemberSkillEvent:
    return MemberSkillEvent.objects.create(
        member_id=grant.member_id,
        skill_id=grant.skill_id,
        grant=grant,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        expires_at=grant.expires_at,
        reason=reason[:500],
    )


# --- prerequisites ----------------------------------------------------------------------------------------------


def _prerequisite_graph(makerspace_id: int) -> dict[int, set[int]]:
    """{skill id: ids of its prerequisites} for one makerspace, in one query."""
    graph: dict[int, set[int]] = {}
    edges = Skill.prerequisites.through.objects.filter(from_skill__makerspace_id=makerspace_id)
    for from_id, to_id in edges.values_list("from_skill_id", "to_skill_id"):
        graph.setdefault(from_id, set()).add(to_id)
    return graph


def _reaches(graph: dict[int, set[int]], start: int, target: int) -> bool:
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == target:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(graph.get(node, ()))
    return False


def _set_prerequisites(skill: Skill, prerequisites: list[Skill]) -> None:
    """Replace the skill's prerequisites: same makerspace only, and never a cycle (400 ``prerequisite_cycle``).

    The makerspace row is locked first, so two concurrent edits cannot each add half of a cycle.
    """
    Makerspace.objects.select_for_update().filter(pk=skill.makerspace_id).first()
    wanted = {prerequisite.pk: prerequisite for prerequisite in prerequisites}
    if any(prerequisite.makerspace_id != skill.makerspace_id for prerequisite in wanted.values()):
        raise ValidationError(
            "Prerequisites must be skills of the same makerspace.",
            errors={"prerequisites": ["Skills of another makerspace."]},
        )
    graph = _prerequisite_graph(skill.makerspace_id)
    graph[skill.pk] = set(wanted)
    cyclic = sorted(str(prerequisite) for pk, prerequisite in wanted.items() if _reaches(graph, pk, skill.pk))
    if cyclic:
        raise ValidationError(
            f"{skill} cannot require {', '.join(cyclic)}: that would make a cycle.",
            code="prerequisite_cycle",
            errors={"prerequisites": [f"Cycle through {name}." for name in cyclic]},
        )
    skill.prerequisites.set(list(wanted.values()))


def _holds(held: list[tuple[str, int]], skill: Skill) -> bool:
    return any(name == skill.name and level >= skill.level for name, level in held)


def missing_prerequisites(*, member: Member, skill: Skill, at: datetime | None = None) -> list[Skill]:
    """The skill's prerequisites the member does not hold now (a higher level of the same name counts)."""
    required = list(skill.prerequisites.all())
    if not required:
        return []
    held = list(
        MemberSkill.objects.active(at or timezone.now())
        .filter(member=member, skill__makerspace_id=skill.makerspace_id)
        .values_list("skill__name", "skill__level")
    )
    return [prerequisite for prerequisite in required if not _holds(held, prerequisite)]


def prerequisites_require(*, member: Member, skill: Skill) -> None:
    """409 ``prerequisite_missing`` naming the missing skills (in ``detail`` and ``errors.prerequisites``)."""
    missing = missing_prerequisites(member=member, skill=skill)
    if missing:
        names = [str(prerequisite) for prerequisite in missing]
        raise ConflictError(
            f"{skill} first needs: {', '.join(names)}.",
            code="prerequisite_missing",
            errors={"prerequisites": names},
        )


def _check_unique(skill: Skill) -> None:
    clash = Skill.objects.filter(makerspace_id=skill.makerspace_id, name=skill.name, level=skill.level)
    if clash.exclude(pk=skill.pk).exists():
        raise ConflictError(f"Skill {skill.name!r} level {skill.level} already exists here.", code="duplicate")


@transaction.atomic
def skill_create(
    *, makerspace, name: str, actor, level: int = 1, description: str = "", prerequisites: list[Skill] | None = None
) -> Skill:
    """A new skill of the makerspace (managers), optionally with prerequisites of the same makerspace."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=makerspace.pk)
    if level < 1:
        raise ValidationError("level must be at least 1.", errors={"level": ["Must be at least 1."]})
    skill = Skill(makerspace=makerspace, name=name.strip(), level=level, description=description)
    _check_unique(skill)
    skill.save()
    if prerequisites:
        _set_prerequisites(skill, prerequisites)
    return skill


@transaction.atomic
def skill_update(*, skill: Skill, actor, **fields) -> Skill:
    """Edit a skill (managers of its makerspace)."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=skill.makerspace_id)
    skill = Skill.objects.select_for_update().get(pk=skill.pk)
    prerequisites = fields.pop("prerequisites", None)
    for name, value in fields.items():
        if name not in ("name", "level", "description"):
            raise ValidationError(f"Unknown field {name!r}.")
        setattr(skill, name, value.strip() if name == "name" else value)
    if skill.level < 1:
        raise ValidationError("level must be at least 1.", errors={"level": ["Must be at least 1."]})
    _check_unique(skill)
    skill.save()
    if prerequisites is not None:
        _set_prerequisites(skill, prerequisites)
    return skill


@transaction.atomic
def member_skill_grant(
    *, member: Member, skill: Skill, actor, expires_at: datetime | None = None, trainer=None, reason: str = ""
) -> tuple[MemberSkill, bool]:
    """Grant a skill (staff, not to themselves); granting a skill the member holds renews it.

    Needs the skill's prerequisites (409 ``prerequisite_missing``); ``trainer`` (staff of the makerspace,
    default the actor) is recorded. Returns (grant, created).
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
    if trainer is not None and not scoping.can_staff_makerspace(trainer, member.makerspace_id):
        raise ValidationError(
            "The trainer must be staff of this makerspace.", errors={"trainer": ["Not staff of this makerspace."]}
        )
    grant = MemberSkill.objects.select_for_update().filter(member=member, skill=skill, revoked_at__isnull=True).first()
    created = grant is None
    if grant is not None and grant.suspended_at is not None:
        raise ConflictError(
            "This skill is suspended pending a safety review; reinstate it from the incident.", code="skill_suspended"
        )
    prerequisites_require(member=member, skill=skill)
    if created:
        grant = MemberSkill(member=member, skill=skill)
    grant.granted_by = actor
    grant.trainer = trainer if trainer is not None else actor
    grant.granted_at = now
    grant.expires_at = expires_at
    grant.expiry_notified_at = None
    grant.save()
    _audit(grant=grant, action=Action.GRANT if created else Action.RENEWAL, actor=actor, reason=reason)
    badge_services.badges_award(member_ids=[member.pk])
    logger.info("skill %s granted to member %s until %s", skill.pk, member.pk, expires_at)
    return grant, created


@transaction.atomic
def member_skill_revoke(*, member: Member, skill_id: int, actor, reason: str = "") -> MemberSkill:
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
    _audit(grant=grant, action=Action.REVOKE, actor=actor, reason=reason)
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
    _audit(grant=grant, action=Action.EXPIRY, actor=SYSTEM, reason="expired")
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


@transaction.atomic
def member_skill_suspend(*, grant: MemberSkill, actor, reason: str) -> MemberSkill:
    """Hold a live grant pending review (it stops counting); staff of the makerspace."""
    grant = MemberSkill.objects.select_for_update().select_related("member").get(pk=grant.pk)
    scoping.makerspace_staff_require(user=actor, makerspace_id=grant.member.makerspace_id)
    if grant.revoked_at is not None or grant.suspended_at is not None:
        return grant
    grant.suspended_at = timezone.now()
    grant.save(update_fields=["suspended_at", "updated_at"])
    _audit(grant=grant, action=Action.SUSPEND, actor=actor, reason=reason)
    return grant


@transaction.atomic
def member_skill_reinstate(*, grant: MemberSkill, actor, reason: str) -> MemberSkill:
    """Lift a suspension after review (staff of the makerspace); no-op for a grant that is not suspended."""
    grant = MemberSkill.objects.select_for_update().select_related("member").get(pk=grant.pk)
    scoping.makerspace_staff_require(user=actor, makerspace_id=grant.member.makerspace_id)
    if grant.suspended_at is None or grant.revoked_at is not None:
        return grant
    grant.suspended_at = None
    grant.save(update_fields=["suspended_at", "updated_at"])
    _audit(grant=grant, action=Action.REINSTATE, actor=actor, reason=reason)
    return grant


# --- skill requests ---------------------------------------------------------------------------------------------


@transaction.atomic
def skill_request_create(*, makerspace, skill: Skill, actor, note: str = "") -> SkillRequest:
    """An active member asks for a skill of their makerspace; 409 ``prerequisite_missing`` names what is missing.

    409 ``duplicate`` when a request for that skill is already pending or the member already holds it.
    """
    if skill.makerspace_id != makerspace.pk:
        raise ValidationError("The skill belongs to another makerspace.", errors={"skill": ["Wrong makerspace."]})
    scoping.makerspace_member_require(user=actor, makerspace_id=makerspace.pk)
    member = (
        Member.objects.select_for_update()
        .filter(user=actor, makerspace=makerspace, status=Member.Status.ACTIVE)
        .first()
    )
    if member is None:  # a platform admin without a membership of their own
        raise ConflictError("Skills are requested through an active membership.", code="membership_inactive")
    if MemberSkill.objects.active().filter(member=member, skill=skill).exists():
        raise ConflictError(f"You already hold {skill}.", code="duplicate")
    if SkillRequest.objects.filter(member=member, skill=skill, status=SkillRequest.Status.PENDING).exists():
        raise ConflictError(f"Your request for {skill} is already waiting for staff.", code="duplicate")
    prerequisites_require(member=member, skill=skill)
    return SkillRequest.objects.create(member=member, skill=skill, note=note)


def _lock_request(request: SkillRequest, actor) -> SkillRequest:
    locked = SkillRequest.objects.select_for_update(of=("self",)).select_related("member", "skill").get(pk=request.pk)
    member_action_require(member=locked.member, actor=actor, staff=True)
    if locked.status != SkillRequest.Status.PENDING:
        raise InvalidTransition(f"This request is already {locked.get_status_display().lower()}.")
    return locked


@transaction.atomic
def skill_request_approve(
    *, request: SkillRequest, actor, expires_at: datetime | None = None, trainer=None
) -> SkillRequest:
    """Staff grant the requested skill (with expiry and trainer) through ``member_skill_grant``; pending only."""
    request = _lock_request(request, actor)
    grant, _ = member_skill_grant(
        member=request.member,
        skill=request.skill,
        actor=actor,
        expires_at=expires_at,
        trainer=trainer,
        reason=f"skill request #{request.pk}",
    )
    request.status = SkillRequest.Status.APPROVED
    request.decided_by, request.decided_at, request.grant = actor, timezone.now(), grant
    request.save(update_fields=["status", "decided_by", "decided_at", "grant", "updated_at"])
    notify(
        request.member.user_id,
        "skill_request.approved",
        {"skill": str(request.skill), "makerspace": request.member.makerspace.name},
        makerspace=request.member.makerspace_id,
    )
    return request


@transaction.atomic
def skill_request_reject(*, request: SkillRequest, actor, reason: str) -> SkillRequest:
    """Staff turn a pending request down, with a reason the member is told."""
    if not reason or not reason.strip():
        raise ValidationError("A reason is required to reject a request.", errors={"reason": ["Required."]})
    request = _lock_request(request, actor)
    request.status = SkillRequest.Status.REJECTED
    request.decided_by, request.decided_at, request.reason = actor, timezone.now(), reason.strip()[:500]
    request.save(update_fields=["status", "decided_by", "decided_at", "reason", "updated_at"])
    notify(
        request.member.user_id,
        "skill_request.rejected",
        {"skill": str(request.skill), "makerspace": request.member.makerspace.name, "reason": request.reason},
        makerspace=request.member.makerspace_id,
    )
    return request
