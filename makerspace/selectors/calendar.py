"""Calendar-feed reads: the owner of a feed token and the reservations a feed lists."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from makerspace.models import CalendarToken, Reservation
from makrx.errors import NotFound

# Feeds show what is still relevant: the last 90 days and everything ahead.
FEED_PAST = timedelta(days=90)
FEED_STATUSES = ("pending", "confirmed", "checked_in", "completed")


def calendar_token_owner(*, token: str):
    """The active user a feed token belongs to; 404 for an unknown (or rotated) token."""
    row = CalendarToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if row is None:
        raise NotFound("Unknown calendar.")
    return row.user


def feed_reservation_list() -> QuerySet[Reservation]:
    """Reservations a feed may show: not cancelled, not older than FEED_PAST, in start order."""
    return (
        Reservation.objects.filter(status__in=FEED_STATUSES, ends_at__gte=timezone.now() - FEED_PAST)
        .select_related("equipment__makerspace", "user")
        .order_by("starts_at", "id")
    )
