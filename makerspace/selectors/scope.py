"""Row-level scoping shared by the selectors: what a user sees of each makerspace's data."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from makrx.auth import roles, scoping


def widen(base: Q, *, user, path: str, staff: bool = False) -> Q:
    """``base`` widened by the user's makerspaces (manager/admin, or any staff role); platform admins see all."""
    if roles.is_platform_admin(user):
        return Q()
    ids = scoping.staffed_makerspace_ids(user) if staff else scoping.managed_makerspace_ids(user)
    return base | Q(**{f"{path}__in": ids}) if ids else base


def own_or_staffed(queryset: QuerySet, user, *, own: Q, path: str) -> QuerySet:
    """Rows the user owns plus rows of makerspaces they staff; everything for platform admins; none for anonymous."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    return queryset.filter(widen(own, user=user, path=path, staff=True))
