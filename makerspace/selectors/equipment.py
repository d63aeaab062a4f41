"""Equipment reads: the machines a user may see and their status history."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from makerspace.models import Equipment, EquipmentStatusChange, Skill
from makerspace.selectors.ratings import annotate_rating
from makerspace.selectors.scope import annotate_viewer_is_member, widen


def equipment_list(*, user) -> QuerySet[Equipment]:
    """Active machines of active makerspaces for everyone signed in; managers also see inactive ones.

    Each row carries ``viewer_is_member``: only members and staff of its makerspace get more than its
    public facts (name, type, status).
    """
    visible = widen(Q(active=True, makerspace__active=True), user=user, path="makerspace_id")
    queryset = annotate_viewer_is_member(Equipment.objects.filter(visible), user, path="makerspace_id")
    queryset = annotate_rating(queryset)
    return (
        queryset.select_related("makerspace")
        .prefetch_related(Prefetch("required_skills", queryset=Skill.objects.order_by("name", "level")))
        .order_by("makerspace_id", "name", "id")
    )


def equipment_status_history(*, equipment: Equipment) -> QuerySet[EquipmentStatusChange]:
    return (
        EquipmentStatusChange.objects.filter(equipment=equipment).select_related("actor").order_by("-created_at", "-id")
    )
