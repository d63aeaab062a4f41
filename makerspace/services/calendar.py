"""iCalendar feeds addressed by a secret per-user token: the token's owner's reservations, or one machine's."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from makerspace.models import CalendarToken, Equipment, Reservation
from makerspace.models.calendar import new_calendar_token
from makerspace.selectors.calendar import calendar_token_owner, feed_reservation_list
from makrx.auth import scoping
from makrx.errors import NotFound, PermissionDenied

FEED_LIMIT = 2000
PRODID = "-//MakrX//Makerspace reservations//EN"


def _require_signed_in(actor) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in to get a calendar feed.", code=scoping.NOT_MEMBER)


@transaction.atomic
def calendar_token_get(*, actor) -> CalendarToken:
    """The actor's own feed token, created on first use."""
    _require_signed_in(actor)
    token, _ = CalendarToken.objects.get_or_create(user=actor)
    return token


@transaction.atomic
def calendar_token_rotate(*, actor) -> CalendarToken:
    """A new secret for the actor's own feeds; the old feed URLs stop working at once."""
    _require_signed_in(actor)
    token, created = CalendarToken.objects.select_for_update().get_or_create(user=actor)
    if not created:
        token.token = new_calendar_token()
        token.rotated_at = timezone.now()
        token.save(update_fields=["token", "rotated_at", "updated_at"])
    return token


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(reservation: Reservation, *, summary: str, description: str = "") -> Event:
    event = Event()
    event.add("uid", f"reservation-{reservation.pk}@makrx")
    event.add("dtstamp", reservation.updated_at)
    event.add("dtstart", reservation.starts_at)
    event.add("dtend", reservation.ends_at)
    event.add("summary", summary)
    event.add("location", f"{reservation.equipment.makerspace.name} — {reservation.equipment.location}".strip(" —"))
    event.add("status", "TENTATIVE" if reservation.status == "pending" else "CONFIRMED")
    if description:
        event.add("description", description)
    return event


def user_reservations_ics(*, token: str) -> bytes:
    """The token owner's reservations as an .ics feed."""
    user = calendar_token_owner(token=token)
    calendar = _calendar("My MakrX reservations")
    for reservation in feed_reservation_list().filter(user=user)[:FEED_LIMIT]:
        calendar.add_component(
            _event(reservation, summary=f"{reservation.equipment.name} reserved", description=reservation.notes)
        )
    return calendar.to_ical()


def equipment_reservations_ics(*, token: str, equipment_id: int) -> bytes:
    """One machine's reservations, if the token owner belongs to (or staffs) its makerspace.

    Staff see who booked; members see only that the machine is reserved.
    """
    user = calendar_token_owner(token=token)
    equipment = Equipment.objects.select_related("makerspace").filter(pk=equipment_id).first()
    if equipment is None:
        raise NotFound("Unknown machine.")
    if not scoping.can_use_makerspace(user, equipment.makerspace_id):
        raise NotFound("Unknown machine.")
    staff = scoping.can_staff_makerspace(user, equipment.makerspace_id)
    calendar = _calendar(f"{equipment.name} — {equipment.makerspace.name}")
    for reservation in feed_reservation_list().filter(equipment=equipment)[:FEED_LIMIT]:
        who = reservation.user.get_username() if staff or reservation.user_id == user.pk else ""
        summary = f"{equipment.name}: {who}" if who else f"{equipment.name} reserved"
        calendar.add_component(_event(reservation, summary=summary))
    return calendar.to_ical()
