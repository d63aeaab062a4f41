"""List and detail display helpers for every admin screen: times in the row's own time zone, status badges.

- ``LocalTimeAdminMixin``: datetime columns named in ``local_time_fields`` show in the time zone of the row's
  makerspace (reached by ``timezone_path``; none = the platform's ``TIME_ZONE``), labelled ("10:00 IST"); the
  detail page is rendered, and its date inputs read, in that zone, and its date fields say which zone.
- ``StatusBadgeMixin``: the ``status`` column becomes a coloured badge, one CSS class per status family.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.html import format_html

# Status values grouped by what staff should do about them; the badge's CSS class is ``badge-<family>``.
STATUS_FAMILIES = {
    "ok": {"active", "confirmed", "paid", "fulfilled", "available", "resolved", "completed", "published", "accepted",
           "done", "delivered", "in_stock", "succeeded", "approved", "shipped"},
    "wait": {"pending", "pending_payment", "open", "in_progress", "checked_in", "queued", "scheduled", "sent",
             "awaiting_payment", "printing", "quoted", "draft", "low_stock"},
    "bad": {"rejected", "cancelled", "suspended", "refunded", "maintenance", "no_show", "offline", "failed", "dead",
            "expired", "out_of_stock", "overdue", "disputed"},
}  # fmt: skip


def status_family(value: str) -> str:
    """The badge family of a status value (``muted`` for anything not listed, e.g. ``closed``)."""
    for family, values in STATUS_FAMILIES.items():
        if value in values:
            return family
    return "muted"


def badge(value: str, label: str | None = None):
    """One status badge: ``<span class="badge badge-ok">Confirmed</span>``."""
    return format_html('<span class="badge badge-{}">{}</span>', status_family(value), label or value)


def platform_timezone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def timezone_at(obj, path: str | None) -> zoneinfo.ZoneInfo:
    """The time zone of the makerspace at ``path`` from ``obj`` (``equipment__makerspace``), else the platform's."""
    target = obj
    if path and path not in ("pk", "id"):
        for part in path.split("__"):
            target = getattr(target, part, None)
            if target is None:
                break
    if target is not None and isinstance(getattr(target, "timezone", None), str) and target.timezone:
        return zoneinfo.ZoneInfo(target.timezone)
    return platform_timezone()


def _forward_path(model, path: str) -> bool:
    """Whether ``path`` follows foreign keys only (so ``select_related`` can load it)."""
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if not (field.many_to_one or field.one_to_one) or field.auto_created and not field.concrete:
            return False
        model = field.related_model
    return True


def format_local(value: datetime | None, tz: zoneinfo.ZoneInfo) -> str:
    """``05 Dec 2026 10:00 IST``: the moment in ``tz``, labelled with the zone's abbreviation."""
    if value is None:
        return "-"
    local = value.astimezone(tz)
    return f"{local:%d %b %Y %H:%M} {local.tzname()}"


def local_time_column(field_name: str, label: str, timezone_path: str | None):
    """A list column showing ``field_name`` in the row's time zone (sortable by the field)."""

    @admin.display(description=label, ordering=field_name)
    def column(obj):
        return format_local(getattr(obj, field_name), timezone_at(obj, timezone_path))

    column.__name__ = f"{field_name}_local"
    return column


def money_column(amount_field: str, currency_field: str = "currency", *, label: str | None = None):
    """A list column showing an amount with its currency (``1,250.00 INR``), right-aligned, sortable."""

    @admin.display(description=label or amount_field.replace("_", " "), ordering=amount_field)
    def column(obj):
        amount = getattr(obj, amount_field)
        if amount is None:
            return "-"
        return format_html(
            '<span style="white-space:nowrap">{} {}</span>', f"{amount:,.2f}", getattr(obj, currency_field)
        )

    column.__name__ = f"{amount_field}_money"
    return column


class LocalTimeAdminMixin:
    """Shows the ``local_time_fields`` of each row in its makerspace's time zone, labelled, on lists and pages."""

    local_time_fields: tuple[str, ...] | None = None  # None: every DateTimeField the list shows
    timezone_path: str | None = None  # path to the Makerspace; MakerspaceScopedAdmin uses its makerspace_path

    def get_timezone_path(self) -> str | None:
        return self.timezone_path

    def object_timezone(self, request, obj) -> zoneinfo.ZoneInfo:
        """The zone a page is shown in: the object's makerspace's (an add page: the platform's)."""
        return timezone_at(obj, self.get_timezone_path()) if obj is not None else platform_timezone()

    def _local_columns(self) -> dict:
        cached = self.__dict__.get("_local_column_cache")
        if cached is None:
            cached = {}
            for field in self.model._meta.fields:
                if not isinstance(field, models.DateTimeField):
                    continue
                if self.local_time_fields is not None and field.name not in self.local_time_fields:
                    continue
                cached[field.name] = local_time_column(field.name, str(field.verbose_name), self.get_timezone_path())
            self.__dict__["_local_column_cache"] = cached
        return cached

    def get_list_display(self, request):
        columns = self._local_columns()
        return [
            columns.get(name, name) if isinstance(name, str) else name for name in super().get_list_display(request)
        ]

    def get_list_select_related(self, request):
        selected = super().get_list_select_related(request)
        path = self.get_timezone_path()
        if not path or selected is True or not self._local_columns() or not _forward_path(self.model, path):
            return selected
        return (*(selected or ()), path)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(db_field, models.DateTimeField):
            zone = getattr(request, "_admin_object_timezone", None) or timezone.get_current_timezone()
            note = f"Time zone: {zone.key}."
            field.help_text = f"{field.help_text} {note}".strip()
        return field

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Render the page, and read its date inputs, in the zone of the object's makerspace."""
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        zone = self.object_timezone(request, obj)
        request._admin_object_timezone = zone
        extra_context = {**(extra_context or {}), "object_timezone": zone.key}
        with timezone.override(zone):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()  # a TemplateResponse renders lazily: do it while the zone is active
            return response


class StatusBadgeMixin:
    """Shows the ``status`` column as a colour badge and keeps the row link on the first other column."""

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        status = obj.status
        label = obj.get_status_display() if hasattr(obj, "get_status_display") else None
        return badge(str(status), str(label or status))

    def get_list_display(self, request):
        return ["status_badge" if name == "status" else name for name in super().get_list_display(request)]

    def get_list_display_links(self, request, list_display):
        links = super().get_list_display_links(request, list_display)
        if list(links or ())[:1] == ["status_badge"] and len(list_display) > 1:
            return [list_display[1]]
        return links

    class Media:
        css = {"all": ("makrx/admin/display.css",)}
