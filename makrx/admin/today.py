"""The Today page's panels: what needs a makerspace's staff now, each a count, a short list and a filtered list link.

The platform core never imports an app (``test_layout``), so panels reach the apps' models by label
(``apps.get_model``): a panel whose model is not installed (service jobs, invoices before they land) or whose
fields differ is left out rather than failing the page. An app may add its own panel with
``register_today_panel``.

Each panel costs one query whatever its size: the rows come with their total as a window count
(``COUNT(*) OVER ()``), so the page is one query per panel plus the makerspace lookup.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.apps import apps
from django.core.exceptions import FieldError
from django.db.models import Count, F, Q, Window
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

LIST_LENGTH = 5
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Moment:
    """Now and the bounds of the local day in the makerspace's time zone."""

    makerspace: object
    now: dt.datetime
    day_start: dt.datetime
    day_end: dt.datetime

    @property
    def tz(self):
        return self.makerspace.tzinfo

    def local(self, value: dt.datetime | None) -> str:
        """A time as staff read it: local to the makerspace, ``HH:MM`` today, else ``Mon 7 Dec HH:MM``."""
        if value is None:
            return ""
        local = timezone.localtime(value, self.tz)
        if self.day_start <= value < self.day_end:
            return local.strftime("%H:%M")
        return local.strftime("%a %-d %b %H:%M")


def moment_for(makerspace, now: dt.datetime | None = None) -> Moment:
    now = now or timezone.now()
    tz = makerspace.tzinfo
    local_day = timezone.localtime(now, tz).date()
    start = dt.datetime.combine(local_day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(local_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return Moment(makerspace=makerspace, now=now, day_start=start, day_end=end)


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    model: str  # "app_label.ModelName"
    where: Callable[[Moment], Q]
    order_by: tuple[str, ...]
    row: Callable[[object, Moment], dict]  # {"title", "detail", "when"}
    link: Callable[[Moment], dict]  # query parameters of the filtered changelist
    select_related: tuple[str, ...] = ()
    empty: str = "Nothing here."
    tone: str = "attention"  # "attention" (count > 0 wants action), "info"


PANELS: list[Panel] = []


def register_today_panel(panel: Panel) -> None:
    """Add (or replace, by key) a panel; apps call this from their admin package."""
    PANELS[:] = [existing for existing in PANELS if existing.key != panel.key] + [panel]


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")


def _who(user) -> str:
    if user is None:
        return ""
    full = f"{user.first_name} {user.last_name}".strip()
    return full or user.username


ACTIVE_BOOKING = ("confirmed", "checked_in")


def _booking_row(reservation, moment: Moment) -> dict:
    return {
        "title": str(reservation.equipment.name),
        "detail": f"{_who(reservation.user)} · {reservation.get_status_display()}",
        "when": f"{moment.local(reservation.starts_at)}–{timezone.localtime(reservation.ends_at, moment.tz):%H:%M}",
    }


register_today_panel(
    Panel(
        key="bookings_now",
        title="On the machines now",
        model="makerspace.Reservation",
        where=lambda m: Q(
            equipment__makerspace=m.makerspace, status__in=ACTIVE_BOOKING, starts_at__lte=m.now, ends_at__gt=m.now
        ),
        order_by=("ends_at", "id"),
        select_related=("equipment", "user"),
        row=_booking_row,
        link=lambda m: {
            "equipment__makerspace__id__exact": m.makerspace.pk,
            "status__in": ",".join(ACTIVE_BOOKING),
            "starts_at__lte": _iso(m.now),
            "ends_at__gt": _iso(m.now),
        },
        empty="No booking is running.",
        tone="info",
    )
)
register_today_panel(
    Panel(
        key="bookings_next",
        title="Next bookings today",
        model="makerspace.Reservation",
        where=lambda m: Q(
            equipment__makerspace=m.makerspace,
            status__in=("pending", "confirmed"),
            starts_at__gt=m.now,
            starts_at__lt=m.day_end,
        ),
        order_by=("starts_at", "id"),
        select_related=("equipment", "user"),
        row=_booking_row,
        link=lambda m: {
            "equipment__makerspace__id__exact": m.makerspace.pk,
            "status__in": "pending,confirmed",
            "starts_at__gt": _iso(m.now),
            "starts_at__lt": _iso(m.day_end),
        },
        empty="No more bookings today.",
        tone="info",
    )
)
register_today_panel(
    Panel(
        key="machines_down",
        title="Machines down",
        model="makerspace.Equipment",
        where=lambda m: Q(makerspace=m.makerspace, active=True, status__in=("maintenance", "offline")),
        order_by=("name", "id"),
        row=lambda e, m: {"title": e.name, "detail": e.get_status_display(), "when": ""},
        link=lambda m: {"makerspace__id__exact": m.makerspace.pk, "status__in": "maintenance,offline"},
        empty="Every machine is up.",
    )
)
register_today_panel(
    Panel(
        key="members_pending",
        title="Members waiting for approval",
        model="makerspace.Member",
        where=lambda m: Q(makerspace=m.makerspace, status="pending"),
        order_by=("created_at", "id"),
        select_related=("user",),
        row=lambda member, m: {
            "title": _who(member.user),
            "detail": member.user.email,
            "when": m.local(member.created_at),
        },
        link=lambda m: {"makerspace__id__exact": m.makerspace.pk, "status__exact": "pending"},
        empty="No one is waiting.",
    )
)
register_today_panel(
    Panel(
        key="bookings_pending",
        title="Bookings waiting for approval",
        model="makerspace.Reservation",
        where=lambda m: Q(equipment__makerspace=m.makerspace, status="pending", ends_at__gt=m.now),
        order_by=("starts_at", "id"),
        select_related=("equipment", "user"),
        row=_booking_row,
        link=lambda m: {
            "equipment__makerspace__id__exact": m.makerspace.pk,
            "status__exact": "pending",
            "ends_at__gt": _iso(m.now),
        },
        empty="No booking is waiting.",
    )
)
register_today_panel(
    Panel(
        key="tickets_open",
        title="Open maintenance tickets",
        model="makerspace.MaintenanceTicket",
        where=lambda m: Q(equipment__makerspace=m.makerspace, status__in=("open", "in_progress")),
        order_by=("-blocking", "created_at", "id"),
        select_related=("equipment",),
        row=lambda t, m: {
            "title": t.title,
            "detail": f"{t.equipment.name} · {t.get_priority_display()}{' · blocking' if t.blocking else ''}",
            "when": m.local(t.created_at),
        },
        link=lambda m: {"equipment__makerspace__id__exact": m.makerspace.pk, "status__in": "open,in_progress"},
        empty="No open ticket.",
    )
)
register_today_panel(
    Panel(
        key="low_stock",
        title="Low stock",
        model="makerspace.InventoryItem",
        where=lambda m: Q(makerspace=m.makerspace, active=True, reorder_level__gt=0, quantity__lte=F("reorder_level")),
        order_by=("sku", "id"),
        row=lambda item, m: {
            "title": item.name,
            "detail": f"{item.sku} · {item.quantity.normalize():f} {item.unit} left (reorder at "
            f"{item.reorder_level.normalize():f})",
            "when": "",
        },
        link=lambda m: {"makerspace__id__exact": m.makerspace.pk, "stock": "low"},
        empty="Stock is fine.",
    )
)
register_today_panel(
    Panel(
        key="jobs_waiting",
        title="Jobs waiting",
        model="makerspace.ServiceJob",
        where=lambda m: Q(makerspace=m.makerspace, status__in=("received", "accepted")),
        order_by=("created_at", "id"),
        row=lambda job, m: {"title": job.title, "detail": job.get_status_display(), "when": m.local(job.created_at)},
        link=lambda m: {"makerspace__id__exact": m.makerspace.pk, "status__in": "received,accepted"},
        empty="No job is waiting.",
    )
)


def _overdue_invoices(m: Moment) -> Q:
    return Q(makerspace=m.makerspace, status="issued", due_on__lt=m.day_start.date())


register_today_panel(
    Panel(
        key="invoices_overdue",
        title="Overdue invoices",
        model="makerspace.Invoice",
        where=_overdue_invoices,
        order_by=("due_on", "id"),
        row=lambda invoice, m: {"title": str(invoice), "detail": f"due {invoice.due_on:%-d %b}", "when": ""},
        link=lambda m: {
            "makerspace__id__exact": m.makerspace.pk,
            "status__exact": "issued",
            "due_on__lt": m.day_start.date().isoformat(),
        },
        empty="No invoice is overdue.",
    )
)


def _changelist_url(model, params: dict) -> str | None:
    try:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(params)}"


def _change_url(obj) -> str | None:
    try:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return None


def today_panels(*, makerspace, now: dt.datetime | None = None) -> tuple[Moment, list[dict]]:
    """Every installed panel for ``makerspace``: ``{key, title, count, rows, url, …}``, one query per panel.

    The caller has checked that the user is staff of the makerspace.
    """
    moment = moment_for(makerspace, now)
    results = []
    for panel in PANELS:
        model = _model(panel.model)
        if model is None:
            continue
        try:
            queryset = (
                model._default_manager.filter(panel.where(moment))
                .select_related(*panel.select_related)
                .annotate(today_total=Window(Count("pk")))
                .order_by(*panel.order_by)
            )
            objects = list(queryset[:LIST_LENGTH])
        except FieldError as exc:  # the model exists but not in the shape this panel reads: leave it out, say so
            logger.warning("Today panel %s left out: %s", panel.key, exc)
            continue
        rows = [{**panel.row(obj, moment), "url": _change_url(obj)} for obj in objects]
        results.append(
            {
                "key": panel.key,
                "title": panel.title,
                "count": objects[0].today_total if objects else 0,
                "rows": rows,
                "url": _changelist_url(model, panel.link(moment)),
                "empty": panel.empty,
                "tone": panel.tone,
            }
        )
    return moment, results
