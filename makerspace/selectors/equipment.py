"""Equipment reads: the machines a user may see and their status history."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from makerspace.models import Equipment, EquipmentStatusChange, Skill
from makerspace.selectors.scope import widen


def equipment_list(*, user, makerspace_id: int | None = None) -> QuerySet[Equipment]:
    """Active machines of active makerspaces for everyone signed in; managers also see inactive ones."""
    visible = widen(Q(active=True, makerspace__active=True), user=user, path="makerspace_id")
    queryset = Equipment.objects.filter(visible)
    if makerspace_id is not None:
        queryset = queryset.filter(makerspace_id=makerspace_id)
    return (
        queryset.select_related("makerspace")
        .prefetch_related(Prefetch("required_skills", queryset=Skill.objects.order_by("name", "level")))
        .order_by("makerspace_id", "name", "id")
    )


def equipment_status_history(*, equipment: Equipment) -> QuerySet[EquipmentStatusChange]:
    return (
        EquipmentStatusChange.objects.filter(equipment=equipment).select_related("actor").order_by("-created_at", "-id")
    )
