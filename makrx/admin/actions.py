"""Admin actions and object-page buttons that call services, logged to the admin history, plus CSV export.

- ``run_service``: one row at a time, a refusal shown as a message, every success written to Django's
  ``LogEntry`` (Recent actions and the object's History) — the one place every action and button logs;
- ``object_buttons``: buttons on an object's page that run the same admin action for that one object (or
  link to a page of its own), each shown only when its ``shown(obj)`` says the transition is legal;
- ``export_csv``: the selected rows as CSV, the columns named by ``csv_fields``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse

from makrx.errors import DomainError


@dataclass(frozen=True)
class ObjectButton:
    """A button on an object's page: ``action`` (an admin action of the screen, run for this object) or ``url``
    (a page: ``url(model_admin, obj) -> str``); ``shown(obj)`` hides it when the transition is not legal."""

    label: str
    action: str = ""
    url: Callable | None = None
    shown: Callable = lambda obj: True


class _Echo:
    def write(self, value):
        return value


def csv_value(value, zone) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat() if zone else value.isoformat()
    return str(value)


class ServiceActionsMixin:
    """For a ModelAdmin whose actions go through the services (the same ones the API calls)."""

    object_buttons: tuple[ObjectButton, ...] = ()
    csv_fields: tuple[str, ...] = ()  # ``field`` or ``relation__field`` paths exported by ``export_csv``
    change_form_template = "admin/makrx/change_form.html"

    def run_service(self, request, queryset, service, done: str) -> None:
        """Call ``service(obj)`` per selected row; a domain refusal becomes a warning, never a 500 or a half-run.

        Each success is logged as a change of that object, so the admin's History says who did what."""
        ok, failed = 0, []
        for obj in queryset:
            try:
                service(obj)
                ok += 1
            except DomainError as exc:
                failed.append(f"{obj}: {exc.detail}")
                continue
            self.log_change(request, obj, f"Admin action: {done}.")
        if ok:
            self.message_user(request, f"{ok} {done}.", messages.SUCCESS)
        for message in failed[:20]:
            self.message_user(request, message, messages.WARNING)
        if len(failed) > 20:
            self.message_user(request, f"… and {len(failed) - 20} more refused.", messages.WARNING)

    def run_service_with_input(self, request, queryset, form, *, action: str, title: str, service, done: str):
        """An action that asks first: until ``form`` (bound to this POST) validates, show the intermediate page;
        then call ``service(obj, cleaned_data)`` per selected row through ``run_service``."""
        if not form.is_valid():
            return self.action_input_page(request, queryset, form, action=action, title=title)
        data = form.cleaned_data
        self.run_service(request, queryset, lambda obj: service(obj, data), done)
        return None

    def input_form(self, request, form_class, **kwargs):
        """The action's input form, bound once the intermediate page was submitted ("apply")."""
        return form_class(request.POST if "apply" in request.POST else None, **kwargs)

    def action_input_page(self, request, queryset, form, *, action: str, title: str):
        """An intermediate page asking for the action's input (a reason, a skill, …) before running it."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "objects": list(queryset),
            "form": form,
            "action": action,
        }
        return TemplateResponse(request, "admin/makrx/action_form.html", context)

    # --- object-page buttons ----------------------------------------------------------------------

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        own = [
            path(
                "<path:object_id>/do/<str:action>/",
                self.admin_site.admin_view(self.object_button_view),
                name=f"{info[0]}_{info[1]}_do",
            )
        ]
        return own + super().get_urls()

    def object_buttons_for(self, request, obj) -> list[dict]:
        """The buttons to draw on ``obj``'s page: legal now, and the user may act on the object."""
        if obj is None or not self.has_view_permission(request, obj):
            return []
        info = self.model._meta.app_label, self.model._meta.model_name
        actions = self.get_actions(request)
        buttons = []
        for button in self.object_buttons:
            if not button.shown(obj):
                continue
            if button.url is not None:
                buttons.append({"label": button.label, "url": button.url(self, obj)})
            elif button.action in actions:
                url = reverse(
                    f"admin:{info[0]}_{info[1]}_do", args=(obj.pk, button.action), current_app=self.admin_site.name
                )
                buttons.append({"label": button.label, "post_url": url})
        return buttons

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["object_buttons"] = self.object_buttons_for(request, obj) if change else []
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def object_button_view(self, request, object_id, action):
        """Run one admin action for one object (a button); the service decides whether it is legal now."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if action not in {button.action for button in self.object_buttons if button.action}:
            raise Http404
        actions = self.get_actions(request)
        if action not in actions:
            raise Http404
        func = actions[action][0]
        response = func(self, request, self.get_queryset(request).filter(pk=obj.pk))
        if response is not None:
            return response
        info = self.model._meta.app_label, self.model._meta.model_name
        return HttpResponseRedirect(
            reverse(f"admin:{info[0]}_{info[1]}_change", args=(obj.pk,), current_app=self.admin_site.name)
        )

    # --- CSV export -------------------------------------------------------------------------------

    def export_csv(self, request, queryset):
        """The selected rows (of this screen's scoped queryset) as CSV; times in each row's time zone."""
        fields = self.csv_fields or tuple(f.name for f in self.model._meta.fields)
        zone_of = getattr(self, "object_timezone", None)

        def value(obj, field_path):
            for part in field_path.split("__"):
                obj = getattr(obj, part, None)
                if obj is None:
                    return None
            return obj

        def rows():
            yield list(fields)
            for obj in queryset.iterator(chunk_size=500):
                zone = zone_of(request, obj) if zone_of else None
                yield [csv_value(value(obj, name), zone) for name in fields]

        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in rows()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{self.model._meta.model_name}s.csv"'
        return response

    export_csv.short_description = "Export selected rows as CSV"

    class Media:
        css = {"all": ("makrx/admin/display.css",)}
