"""Row-level scoping shared by the selectors: what a user sees of each makerspace's data."""

from __future__ import annotations

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value

from makerspace.models import Member
from makrx.auth import roles, scoping

MANAGED, STAFFED, MEMBER = "managed", "staffed", "member"
_IDS = {
    MANAGED: scoping.managed_makerspace_ids,
    STAFFED: scoping.staffed_makerspace_ids,
    MEMBER: scoping.member_makerspace_ids,
}


def widen(base: Q, *, user, path: str, level: str = MANAGED) -> Q:
    """``base`` widened by the rows of the user's makerspaces at ``level``; platform admins see all."""
    if roles.is_platform_admin(user):
        return Q()
    ids = _IDS[level](user)
    return base | Q(**{f"{path}__in": ids}) if ids else base


def own_or_space(queryset: QuerySet, user, *, own: Q, path: str, level: str = STAFFED) -> QuerySet:
    """Rows the user owns plus rows of their makerspaces at ``level``; all for platform admins; none for anonymous."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    return queryset.filter(widen(own, user=user, path=path, level=level))


def annotate_viewer_is_member(queryset: QuerySet, user, *, path: str) -> QuerySet:
    """``viewer_is_member``: the user is an active member (any role) of the row's makerspace, or a platform admin.

    An annotation rather than a second query, so a page of 100 rows costs what a page of 1 does.
    """
    if roles.is_platform_admin(user):
        return queryset.annotate(viewer_is_member=Value(True, output_field=BooleanField()))
    if not getattr(user, "is_authenticated", False):
        return queryset.annotate(viewer_is_member=Value(False, output_field=BooleanField()))
    membership = Member.objects.filter(user=user, status=Member.Status.ACTIVE, makerspace_id=OuterRef(path))
    return queryset.annotate(viewer_is_member=Exists(membership))
