"""Skill and skill-grant reads."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makerspace.models import Member, MemberSkill, MemberSkillEvent, Skill, SkillRequest
from makerspace.selectors.scope import STAFFED, own_or_space, widen


def skill_list(*, user) -> QuerySet[Skill]:
    """Skills of active makerspaces; managers also see those of their inactive ones."""
    return (
        Skill.objects.filter(widen(Q(makerspace__active=True), user=user, path="makerspace_id"))
        .select_related("makerspace")
        .prefetch_related("prerequisites")
        .order_by("makerspace_id", "name", "level", "id")
    )


def member_skill_list(*, member: Member) -> QuerySet[MemberSkill]:
    """A member's grants, newest first (revoked and expired ones included)."""
    return (
        MemberSkill.objects.filter(member=member)
        .select_related("skill", "granted_by", "revoked_by")
        .order_by("-granted_at", "-id")
    )


def skill_request_list(*, user) -> QuerySet[SkillRequest]:
    """The user's own requests plus those of the makerspaces they staff (all for platform admins), newest first."""
    return (
        own_or_space(
            SkillRequest.objects.all(), user, own=Q(member__user=user), path="member__makerspace_id", level=STAFFED
        )
        .select_related("member__user", "member__makerspace", "skill", "decided_by")
        .order_by("-created_at", "-id")
    )


def member_skill_event_list(*, member: Member) -> QuerySet[MemberSkillEvent]:
    """A member's skill audit trail, newest first."""
    return (
        MemberSkillEvent.objects.filter(member=member).select_related("skill", "actor").order_by("-created_at", "-id")
    )
