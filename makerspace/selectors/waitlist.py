"""Waiting-list reads: the entries a user may see, and whether an offer holds a slot."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from makerspace.models import WaitlistEntry
from makerspace.selectors.scope import own_or_space


def waitlist_list(*, user) -> QuerySet[WaitlistEntry]:
    """Members see their own entries; staff the entries of their makerspaces; platform admins all."""
    queryset = own_or_space(WaitlistEntry.objects.all(), user, own=Q(user=user), path="equipment__makerspace_id")
    return queryset.select_related("equipment__makerspace", "user", "reservation").order_by("created_at", "id")


def offer_holds_slot(
    *, equipment_id: int, starts_at: datetime, ends_at: datetime, except_entry_id: int | None = None, now=None
) -> bool:
    """An unexpired waiting-list offer holds part of the range (for everyone but the entry it was made to)."""
    held = WaitlistEntry.objects.filter(
        equipment_id=equipment_id,
        status=WaitlistEntry.Status.OFFERED,
        offer_expires_at__gt=now or timezone.now(),
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if except_entry_id is not None:
        held = held.exclude(pk=except_entry_id)
    return held.exists()
