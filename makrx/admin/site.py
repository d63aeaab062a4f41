"""The staff admin's shell: grouped navigation, the Today and Analytics pages per makerspace, the space switcher.

Built on Django's own admin (docs/admin.md says why). ``install()`` turns the default ``admin.site`` into a
``MakrXAdminSite`` in place (``admin.site.__class__ = …``, the way django-otp upgrades the default site), so the
site object, its registry and every ``admin.site.register`` call stay as they are; only the app list, the
extra URLs and the context change.

The platform core imports no app: makerspaces are read by label (``apps.get_model``) and the analytics reports
through the service the API calls, named by its dotted path (``ANALYTICS_SERVICE``).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.module_loading import import_string

from makrx import errors
from makrx.admin import navigation, today
from makrx.admin.analytics_charts import REPORT_TITLES, charts_for, headline_figures
from makrx.auth import roles, scoping

MAKERSPACE_MODEL = "makerspace.Makerspace"
ANALYTICS_SERVICE = "makerspace.services.analytics.analytics_report_run"
ANALYTICS_REPORTS = "makerspace.selectors.analytics.REPORTS"
ANALYTICS_BUCKETS = (("day", "Day"), ("week", "Week"), ("month", "Month"))


def staffed_spaces(user) -> list:
    """The makerspaces the user may pick: every one for platform admins, else those they are staff of."""
    try:
        model = apps.get_model(MAKERSPACE_MODEL)
    except LookupError:
        return []
    queryset = model._default_manager.order_by("name", "id")
    if not roles.is_platform_admin(user):
        queryset = queryset.filter(pk__in=scoping.staffed_makerspace_ids(user))
    return list(queryset)


def chosen_space(request, spaces: list):
    """The makerspace of ``?makerspace=`` (403 when it is not one of the user's, 404 when unknown), or the first."""
    raw = request.GET.get("makerspace", "")
    if not raw:
        return spaces[0] if spaces else None
    if not raw.isdigit() or len(raw) > 18:
        raise Http404("No such makerspace.")
    for space in spaces:
        if space.pk == int(raw):
            return space
    model = apps.get_model(MAKERSPACE_MODEL)
    if model._default_manager.filter(pk=int(raw)).exists():
        raise PermissionDenied("You are not staff of this makerspace.")
    raise Http404("No such makerspace.")


class AnalyticsForm(forms.Form):
    makerspace = forms.TypedChoiceField(coerce=int, required=False)
    date_from = forms.DateField(required=False, label="From")
    date_to = forms.DateField(required=False, label="To")
    bucket = forms.ChoiceField(choices=ANALYTICS_BUCKETS, required=False)

    def __init__(self, data, *, spaces):
        # ``from``/``to`` are the API's parameter names; the form reads them under Python-safe names.
        data = {
            "makerspace": data.get("makerspace", ""),
            "date_from": data.get("from", ""),
            "date_to": data.get("to", ""),
            "bucket": data.get("bucket", "") or "day",
        }
        super().__init__(data)
        self.fields["makerspace"].choices = [(space.pk, space.name) for space in spaces]
        for name in ("date_from", "date_to"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_from", "Must be on or before “To”.")
        return cleaned


class MakrXAdminSite(AdminSite):
    """Django's admin site with the MakrX shell (the class of the default ``admin.site``)."""

    def get_app_list(self, request, app_label=None):
        if app_label is not None:  # an app's own index page (/admin/<app>/) stays Django's
            return super().get_app_list(request, app_label)
        return navigation.grouped_app_list(self._build_app_dict(request), request)

    def get_urls(self):
        return [
            path("today/", self.admin_view(self.today_view), name="makrx-today"),
            path("analytics/", self.admin_view(self.analytics_view), name="makrx-analytics"),
            *super().get_urls(),
        ]

    def _page_context(self, request, *, title: str, spaces: list, space, url_name: str) -> dict:
        return {
            **self.each_context(request),
            "title": title,
            "subtitle": space.name if space else None,
            "spaces": spaces,
            "space": space,
            "switch_url": reverse(f"admin:{url_name}"),
        }

    def today_view(self, request):
        """``/admin/today/?makerspace=<id>``: the day in one makerspace, for its staff."""
        spaces = staffed_spaces(request.user)
        space = chosen_space(request, spaces)
        context = self._page_context(request, title="Today", spaces=spaces, space=space, url_name="makrx-today")
        if space is not None:
            moment, panels = today.today_panels(makerspace=space)
            context.update(
                {
                    "panels": panels,
                    # Formatted here: the template's date filter would turn it back into the server's time zone.
                    "now_local": dt.datetime.now(space.tzinfo).strftime("%A %-d %B %Y, %H:%M"),
                    "timezone_name": space.timezone,
                    "moment": moment,
                }
            )
        return TemplateResponse(request, "admin/makrx/today.html", context)

    def analytics_view(self, request):
        """``/admin/analytics/?makerspace=&from=&to=&bucket=``: charts of every report, from the API's service."""
        spaces = staffed_spaces(request.user)
        space = chosen_space(request, spaces)
        form = AnalyticsForm(request.GET, spaces=spaces)
        context = self._page_context(request, title="Analytics", spaces=spaces, space=space, url_name="makrx-analytics")
        context.update({"form": form, "reports": [], "unavailable": None, "chart_data": None})
        if space is None or not form.is_valid():
            return TemplateResponse(request, "admin/makrx/analytics.html", context)
        query = {
            "makerspace": space.pk,
            "from": form.cleaned_data.get("date_from"),
            "to": form.cleaned_data.get("date_to"),
            "bucket": form.cleaned_data.get("bucket") or "day",
        }
        reports, charts = [], []
        run = import_string(ANALYTICS_SERVICE)
        for report in import_string(ANALYTICS_REPORTS):
            try:
                result = run(
                    actor=request.user,
                    report=report,
                    makerspace_id=space.pk,
                    date_from=query["from"],
                    date_to=query["to"],
                    bucket=query["bucket"],
                )
            except errors.ServiceUnavailable as exc:  # SQLite (make run): the API's 503, said the same way
                context["unavailable"] = exc.detail
                break
            except errors.PermissionDenied as exc:
                raise PermissionDenied(exc.detail) from exc
            except errors.ValidationError as exc:
                for field, messages in (exc.errors or {"__all__": [exc.detail]}).items():
                    target = {"from": "date_from", "to": "date_to"}.get(field, field)
                    form.add_error(target if target in form.fields else None, messages)
                break
            report_charts = charts_for(report, result)
            charts.extend(report_charts)
            reports.append(
                {
                    "key": report,
                    "title": REPORT_TITLES.get(report, report.replace("-", " ").capitalize()),
                    "result": result,
                    "charts": report_charts,
                    "figures": headline_figures(report, result),
                    "csv_url": _csv_url(report, result),
                    "available": result["totals"].get("available", True),
                }
            )
        if reports and not form.errors:
            first = reports[0]["result"]
            context.update({"period_from": first["from"], "period_to": first["to"], "timezone_name": first["timezone"]})
            # The form shows the period the reports cover (the service's defaults when none was asked for).
            form.data = {**form.data, "date_from": first["from"], "date_to": first["to"]}
        context.update({"reports": reports if not form.errors else [], "chart_data": {"charts": charts}})
        return TemplateResponse(request, "admin/makrx/analytics.html", context)


def _csv_url(report: str, result: dict) -> str | None:
    """The API's CSV export of the report over the same period (the admin session authenticates it)."""
    try:
        url = reverse("analytics-report", kwargs={"report": report})
    except NoReverseMatch:
        return None
    query = {
        "makerspace": result["makerspace"],
        "from": result["from"],
        "to": result["to"],
        "bucket": result["bucket"],
        "format": "csv",
    }
    return f"{url}?{urlencode(query)}"


def install(site=None) -> None:
    """Give the default admin site the MakrX shell (idempotent); called when ``makrx.admin`` is imported.

    ``admin.site`` is a lazy proxy: setting ``__class__`` through it sets it on the real site, so the same
    object (and its registry) serves, now with this class's methods.
    """
    site = admin.site if site is None else site
    if not isinstance(site, MakrXAdminSite):
        site.__class__ = MakrXAdminSite
