"""Skill and skill-grant reads."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makerspace.models import Member, MemberSkill, Skill
from makerspace.selectors.scope import widen


def skill_list(*, user) -> QuerySet[Skill]:
    """Skills of active makerspaces; managers also see those of their inactive ones."""
    return (
        Skill.objects.filter(widen(Q(makerspace__active=True), user=user, path="makerspace_id"))
        .select_related("makerspace")
        .order_by("makerspace_id", "name", "level", "id")
    )


def member_skill_list(*, member: Member) -> QuerySet[MemberSkill]:
    """A member's grants, newest first (revoked and expired ones included)."""
    return (
        MemberSkill.objects.filter(member=member)
        .select_related("skill", "granted_by", "revoked_by")
        .order_by("-granted_at", "-id")
    )
