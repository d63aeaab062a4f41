"""Membership reads: a user's memberships (for /auth/me and the scoping rules) and scoped member lists."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from makerspace.models import Member, MemberEvent
from makerspace.selectors.scope import STAFFED, widen
from makrx.auth import scoping


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


def member_list(*, user) -> QuerySet[Member]:
    """Members of the makerspaces the user staffs, plus the user's own memberships."""
    if not getattr(user, "is_authenticated", False):
        return Member.objects.none()
    queryset = Member.objects.filter(widen(Q(user=user), user=user, path="makerspace_id", level=STAFFED))
    return queryset.select_related("user", "makerspace", "plan").order_by("makerspace_id", "user__username", "id")


def member_detail_queryset(*, user) -> QuerySet[Member]:
    return member_list(user=user).prefetch_related(
        Prefetch("events", queryset=MemberEvent.objects.select_related("actor").order_by("-created_at", "-id"))
    )


EXPORT_COLUMNS = (
    ("id", "id"),
    ("username", "user__username"),
    ("email", "user__email"),
    ("first_name", "user__first_name"),
    ("last_name", "user__last_name"),
    ("role", "role"),
    ("status", "status"),
    ("plan", "plan__name"),
    ("joined_at", "joined_at"),
    ("created_at", "created_at"),
)
# A spreadsheet runs a cell that starts with one of these as a formula: prefix it so it stays text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def member_export_rows(*, user, makerspace_id: int):
    """The header then one row per member of the makerspace (staff of it; 403 otherwise), streamed in chunks."""
    scoping.makerspace_staff_require(user=user, makerspace_id=makerspace_id)  # before the first byte is sent
    return member_csv_rows(Member.objects.filter(makerspace_id=makerspace_id))


def member_csv_rows(queryset: QuerySet[Member]):
    """Header and rows of these (already scoped) memberships, read in chunks: the API's and the admin's export."""
    rows = queryset.order_by("makerspace_id", "user__username", "id").values_list(*(path for _, path in EXPORT_COLUMNS))
    yield [name for name, _ in EXPORT_COLUMNS]
    for row in rows.iterator(chunk_size=500):
        yield [_cell(value) for value in row]
