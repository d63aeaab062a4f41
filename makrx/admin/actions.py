"""Admin actions that call services: one row at a time, refusals shown as messages, optional input page."""

from __future__ import annotations

from django.contrib import messages
from django.template.response import TemplateResponse

from makrx.errors import DomainError


class ServiceActionsMixin:
    """For a ModelAdmin whose actions go through the services (the same ones the API calls)."""

    def run_service(self, request, queryset, service, done: str) -> None:
        """Call ``service(obj)`` per selected row; a domain refusal becomes a warning, never a 500 or a half-run."""
        ok, failed = 0, []
        for obj in queryset:
            try:
                service(obj)
                ok += 1
            except DomainError as exc:
                failed.append(f"{obj}: {exc.detail}")
        if ok:
            self.message_user(request, f"{ok} {done}.", messages.SUCCESS)
        for message in failed[:20]:
            self.message_user(request, message, messages.WARNING)
        if len(failed) > 20:
            self.message_user(request, f"… and {len(failed) - 20} more refused.", messages.WARNING)

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
