"""Badges: managers define them (skills held and/or completed sessions); the platform awards them, once each.

``badges_award`` runs as the platform after a skill grant (in that transaction) and from the periodic
sweep (``award_badges_task``), so sessions finished since count too. An award is never taken back and
never given twice (unique member × badge; a concurrent award of the same pair is a no-op).
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from makerspace.models import Badge, Makerspace, Member, MemberBadge, MemberSkill, Skill
from makrx.auth import scoping
from makrx.errors import ConflictError, ValidationError
from makrx.notifications import notify

logger = logging.getLogger(__name__)

BADGE_FIELDS = ("name", "description", "min_completed_sessions", "active")


def _check(badge: Badge, skills: list[Skill] | None) -> None:
    if not badge.name.strip():
        raise ValidationError("A badge needs a name.", errors={"name": ["Required."]})
    if skills is not None and any(skill.makerspace_id != badge.makerspace_id for skill in skills):
        raise ValidationError(
            "Required skills must be skills of the badge's makerspace.",
            errors={"required_skills": ["Wrong makerspace."]},
        )
    clash = Badge.objects.filter(makerspace_id=badge.makerspace_id, name=badge.name).exclude(pk=badge.pk)
    if clash.exists():
        raise ConflictError(f"A badge named {badge.name!r} already exists here.", code="duplicate")


def _require_criteria(badge: Badge) -> None:
    if not badge.min_completed_sessions and not badge.required_skills.exists():
        raise ValidationError(
            "A badge needs criteria: required skills, a number of completed sessions, or both.",
            errors={"required_skills": ["Give skills or min_completed_sessions."]},
        )


@transaction.atomic
def badge_create(
    *, makerspace: Makerspace, name: str, actor, required_skills: list[Skill] | None = None, **fields
) -> Badge:
    """A new badge of the makerspace (managers); members who already qualify receive it by the next sweep."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=makerspace.pk)
    unknown = set(fields) - set(BADGE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    badge = Badge(makerspace=makerspace, name=name.strip(), **fields)
    _check(badge, required_skills or [])
    badge.save()
    badge.required_skills.set(required_skills or [])
    _require_criteria(badge)
    return badge


@transaction.atomic
def badge_update(*, badge: Badge, actor, required_skills: list[Skill] | None = None, **fields) -> Badge:
    """Edit a badge (managers). Awards already given stay."""
    scoping.makerspace_manager_require(user=actor, makerspace_id=badge.makerspace_id)
    badge = Badge.objects.select_for_update().get(pk=badge.pk)
    for name, value in fields.items():
        if name not in BADGE_FIELDS:
            raise ValidationError(f"Unknown field {name!r}.")
        setattr(badge, name, value.strip() if name == "name" else value)
    _check(badge, required_skills)
    badge.save()
    if required_skills is not None:
        badge.required_skills.set(required_skills)
    _require_criteria(badge)
    return badge


def _eligible(badge: Badge, members: QuerySet[Member]) -> QuerySet[Member]:
    """Members of ``members`` meeting the badge's criteria now and not holding it (one query, whatever the count)."""
    eligible = members.filter(makerspace_id=badge.makerspace_id, status=Member.Status.ACTIVE).exclude(
        badges__badge=badge
    )
    for skill in badge.required_skills.all():
        held = MemberSkill.objects.active().filter(
            member=OuterRef("pk"),
            skill__makerspace_id=skill.makerspace_id,
            skill__name=skill.name,
            skill__level__gte=skill.level,
        )
        eligible = eligible.filter(Exists(held))
    if badge.min_completed_sessions:
        eligible = eligible.annotate(
            completed_sessions=Count("usage_sessions", filter=Q(usage_sessions__ended_at__isnull=False))
        ).filter(completed_sessions__gte=badge.min_completed_sessions)
    return eligible


def _award(badge: Badge, member: Member) -> MemberBadge | None:
    try:
        with transaction.atomic():  # a concurrent award of the same pair hits the unique constraint: no-op
            award = MemberBadge.objects.create(member=member, badge=badge)
    except IntegrityError:
        return None
    notify(
        member.user_id,
        "badge.awarded",
        {"badge": badge.name, "makerspace": badge.makerspace.name, "description": badge.description},
        makerspace=badge.makerspace_id,
    )
    return award


@transaction.atomic
def badges_award(*, member_ids: list[int] | None = None, makerspace_id: int | None = None) -> list[MemberBadge]:
    """Award every active badge whose criteria hold (system path): to these members, or to everyone when None."""
    badges = Badge.objects.filter(active=True).select_related("makerspace").prefetch_related("required_skills")
    members = Member.objects.all()
    if member_ids is not None:
        members = members.filter(pk__in=member_ids)
        badges = badges.filter(makerspace__members__pk__in=member_ids).distinct()
    if makerspace_id is not None:
        badges = badges.filter(makerspace_id=makerspace_id)
    awarded = []
    for badge in badges:
        for member in _eligible(badge, members).only("id", "user_id", "makerspace_id"):
            award = _award(badge, member)
            if award is not None:
                awarded.append(award)
    if awarded:
        logger.info("awarded %d badges", len(awarded))
    return awarded
