"""Reads for BOM imports: who may see which import (owner, the anonymous cart that made it, store staff)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from makrx.auth.roles import is_store_staff
from makrx.errors import NotFound
from store.models import BomImport, BomLine


def _lines():
    return Prefetch("lines", queryset=BomLine.objects.select_related("product").order_by("line"))


def bom_import_list(*, user, cart_token: str | None = None) -> QuerySet[BomImport]:
    """Store staff see every import; a signed-in user their own (and those their anonymous cart made before it
    merged at sign-in); an anonymous caller those of their cart token.

    Lines are not loaded (the list shows the summary); the query count is the same for any page size.
    """
    queryset = BomImport.objects.select_related("user", "cart").order_by("-created_at", "-id")
    if is_store_staff(user):
        return queryset
    if getattr(user, "is_authenticated", False):
        # An upload made anonymously follows its cart: once that cart merged into the user's at sign-in, it is theirs.
        return queryset.filter(Q(user=user) | Q(user__isnull=True, cart__merged_into__user=user))
    if cart_token:
        return queryset.filter(user__isnull=True, cart__token=cart_token)
    return queryset.none()


def bom_import_get(*, import_id: int, user, cart_token: str | None = None, lock: bool = False) -> BomImport:
    """One import with its lines, if the caller may see it; otherwise 404 (no hint that it exists)."""
    queryset = bom_import_list(user=user, cart_token=cart_token).filter(pk=import_id)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    bom_import = queryset.prefetch_related(_lines()).first()
    if bom_import is None:
        raise NotFound("No such BOM import.", code="bom_import_not_found")
    return bom_import
