"""Skill and skill-grant reads."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makerspace.models import Member, MemberSkill, Skill
from makerspace.selectors.scope import widen


def skill_list(*, user, makerspace_id: int | None = None) -> QuerySet[Skill]:
    """Skills of active makerspaces; managers also see those of their inactive ones."""
    queryset = Skill.objects.filter(widen(Q(makerspace__active=True), user=user, path="makerspace_id"))
    if makerspace_id is not None:
        queryset = queryset.filter(makerspace_id=makerspace_id)
    return queryset.select_related("makerspace").order_by("makerspace_id", "name", "level", "id")


def member_skill_list(*, member: Member) -> QuerySet[MemberSkill]:
    """A member's grants, newest first (revoked and expired ones included)."""
    return (
        MemberSkill.objects.filter(member=member)
        .select_related("skill", "granted_by", "revoked_by")
        .order_by("-granted_at", "-id")
    )
