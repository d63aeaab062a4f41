"""Makerspace reads: tenant-scoped, prefetched querysets for spaces, members, plans, skills and equipment."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from makerspace.models import (
    Equipment,
    EquipmentStatusChange,
    Makerspace,
    Member,
    MemberEvent,
    MembershipPlan,
    MemberSkill,
    OpeningHours,
    Skill,
    Subscription,
)
from makerspace.permissions import managed_makerspace_ids, staffed_makerspace_ids
from makrx.auth import roles


def memberships_for_user(user) -> list[dict]:
    """[{makerspace, makerspace_slug, makerspace_name, role, status}] for /api/v1/auth/me."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    rows = (
        Member.objects.filter(user=user)
        .select_related("makerspace")
        .order_by("makerspace__name")
        .values("makerspace_id", "makerspace__slug", "makerspace__name", "role", "status")
    )
    return [
        {
            "makerspace": row["makerspace_id"],
            "makerspace_slug": row["makerspace__slug"],
            "makerspace_name": row["makerspace__name"],
            "role": row["role"],
            "status": row["status"],
        }
        for row in rows
    ]


def member_for(*, user, makerspace) -> Member | None:
    """The user's membership of that makerspace (any status), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    makerspace_id = makerspace if isinstance(makerspace, int) else makerspace.pk
    return Member.objects.select_related("plan").filter(user=user, makerspace_id=makerspace_id).first()


# --- makerspaces ------------------------------------------------------------------------------


def makerspace_list(*, user) -> QuerySet[Makerspace]:
    """Active makerspaces for everyone, plus the inactive ones the user manages; hours and closures prefetched."""
    visible = Q(active=True)
    if roles.is_platform_admin(user):
        visible = Q()
    else:
        managed = managed_makerspace_ids(user)
        if managed:
            visible |= Q(pk__in=managed)
    return (
        Makerspace.objects.filter(visible)
        .prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
            "closures",
        )
        .order_by("name", "id")
    )


# --- members ----------------------------------------------------------------------------------


def member_list(*, user, makerspace_id: int | None = None) -> QuerySet[Member]:
    """Members of the makerspaces the user staffs, plus the user's own memberships."""
    if not getattr(user, "is_authenticated", False):
        return Member.objects.none()
    scope = Q(user=user)
    staffed = staffed_makerspace_ids(user)
    if staffed:
        scope |= Q(makerspace_id__in=staffed)
    queryset = Member.objects.filter(scope)
    if makerspace_id is not None:
        queryset = queryset.filter(makerspace_id=makerspace_id)
    return queryset.select_related("user", "makerspace", "plan").order_by("makerspace_id", "user__username", "id")


def member_detail_queryset(*, user) -> QuerySet[Member]:
    return member_list(user=user).prefetch_related(
        Prefetch("events", queryset=MemberEvent.objects.select_related("actor").order_by("-created_at", "-id"))
    )


def member_skill_list(*, member: Member) -> QuerySet[MemberSkill]:
    return (
        MemberSkill.objects.filter(member=member)
        .select_related("skill", "granted_by", "revoked_by")
        .order_by("-granted_at", "-id")
    )


# --- plans and subscriptions --------------------------------------------------------------------


def plan_list(*, user, makerspace_id: int | None = None) -> QuerySet[MembershipPlan]:
    """Active plans of active makerspaces; managers also see their inactive plans."""
    visible = Q(active=True, makerspace__active=True)
    managed = managed_makerspace_ids(user)
    if managed:
        visible |= Q(makerspace_id__in=managed)
    queryset = MembershipPlan.objects.filter(visible)
    if makerspace_id is not None:
        queryset = queryset.filter(makerspace_id=makerspace_id)
    return queryset.select_related("makerspace").order_by("makerspace_id", "price", "name", "id")


def subscription_list(*, user, makerspace_id: int | None = None) -> QuerySet[Subscription]:
    """The user's own subscriptions plus those of members of makerspaces they manage."""
    if not getattr(user, "is_authenticated", False):
        return Subscription.objects.none()
    scope = Q(member__user=user)
    managed = managed_makerspace_ids(user)
    if managed:
        scope |= Q(member__makerspace_id__in=managed)
    queryset = Subscription.objects.filter(scope)
    if makerspace_id is not None:
        queryset = queryset.filter(member__makerspace_id=makerspace_id)
    return queryset.select_related("member__user", "member__makerspace", "plan").order_by("-starts_at", "-id")


# --- skills -------------------------------------------------------------------------------------


def skill_list(*, user, makerspace_id: int | None = None) -> QuerySet[Skill]:
    visible = Q(makerspace__active=True)
    managed = managed_makerspace_ids(user)
    if managed:
        visible |= Q(makerspace_id__in=managed)
    queryset = Skill.objects.filter(visible)
    if makerspace_id is not None:
        queryset = queryset.filter(makerspace_id=makerspace_id)
    return queryset.select_related("makerspace").order_by("makerspace_id", "name", "level", "id")


# --- equipment ----------------------------------------------------------------------------------


def equipment_list(*, user, makerspace_id: int | None = None) -> QuerySet[Equipment]:
    """Active machines of active makerspaces for everyone signed in; managers also see inactive ones."""
    visible = Q(active=True, makerspace__active=True)
    managed = managed_makerspace_ids(user)
    if managed:
        visible |= Q(makerspace_id__in=managed)
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
