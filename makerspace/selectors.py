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


def _or_scope(base: Q, *, user, path: str, staff: bool = False) -> Q:
    """``base`` widened by the user's makerspaces (manager/admin, or any staff role); platform admins see all."""
    if roles.is_platform_admin(user):
        return Q()
    ids = staffed_makerspace_ids(user) if staff else managed_makerspace_ids(user)
    return base | Q(**{f"{path}__in": ids}) if ids else base


# --- makerspaces ------------------------------------------------------------------------------


def makerspace_list(*, user) -> QuerySet[Makerspace]:
    """Active makerspaces for everyone, plus the inactive ones the user manages; hours and closures prefetched."""
    visible = _or_scope(Q(active=True), user=user, path="pk")
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
    queryset = Member.objects.filter(_or_scope(Q(user=user), user=user, path="makerspace_id", staff=True))
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
    visible = _or_scope(Q(active=True, makerspace__active=True), user=user, path="makerspace_id")
    queryset = MembershipPlan.objects.filter(visible)
    if makerspace_id is not None:
        queryset = queryset.filter(makerspace_id=makerspace_id)
    return queryset.select_related("makerspace").order_by("makerspace_id", "price", "name", "id")


def subscription_list(*, user, makerspace_id: int | None = None) -> QuerySet[Subscription]:
    """The user's own subscriptions plus those of members of makerspaces they manage."""
    if not getattr(user, "is_authenticated", False):
        return Subscription.objects.none()
    queryset = Subscription.objects.filter(_or_scope(Q(member__user=user), user=user, path="member__makerspace_id"))
    if makerspace_id is not None:
        queryset = queryset.filter(member__makerspace_id=makerspace_id)
    return queryset.select_related("member__user", "member__makerspace", "plan").order_by("-starts_at", "-id")


# --- skills -------------------------------------------------------------------------------------


def skill_list(*, user, makerspace_id: int | None = None) -> QuerySet[Skill]:
    queryset = Skill.objects.filter(_or_scope(Q(makerspace__active=True), user=user, path="makerspace_id"))
    if makerspace_id is not None:
        queryset = queryset.filter(makerspace_id=makerspace_id)
    return queryset.select_related("makerspace").order_by("makerspace_id", "name", "level", "id")


# --- equipment ----------------------------------------------------------------------------------


def equipment_list(*, user, makerspace_id: int | None = None) -> QuerySet[Equipment]:
    """Active machines of active makerspaces for everyone signed in; managers also see inactive ones."""
    visible = _or_scope(Q(active=True, makerspace__active=True), user=user, path="makerspace_id")
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
