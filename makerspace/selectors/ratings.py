"""Rating reads: a machine's ratings, and the average/count annotation the machine list carries."""

from __future__ import annotations

from django.db.models import Avg, Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from makerspace.models import Equipment, EquipmentRating
from makrx.auth import scoping


def annotate_rating(queryset: QuerySet[Equipment]) -> QuerySet[Equipment]:
    """``rating_average`` (None when unrated) and ``rating_count`` per machine, as subqueries (no per-row query)."""
    per_machine = EquipmentRating.objects.filter(equipment=OuterRef("pk")).order_by().values("equipment")
    return queryset.annotate(
        rating_average=Subquery(per_machine.annotate(value=Avg("score")).values("value")[:1]),
        rating_count=Coalesce(
            Subquery(per_machine.annotate(value=Count("id")).values("value")[:1], output_field=IntegerField()), 0
        ),
    )


def rating_summary(*, equipment: Equipment) -> dict:
    """{average, count} of one machine (for a machine loaded without the annotation)."""
    return EquipmentRating.objects.filter(equipment=equipment).aggregate(average=Avg("score"), count=Count("id"))


def rating_list(*, user, equipment: Equipment) -> QuerySet[EquipmentRating]:
    """A machine's ratings, most recently edited first (members of its makerspace; 403 otherwise)."""
    scoping.makerspace_member_require(user=user, makerspace_id=equipment.makerspace_id)
    return (
        EquipmentRating.objects.filter(equipment=equipment)
        .select_related("member__user")
        .order_by("-updated_at", "-id")
    )
