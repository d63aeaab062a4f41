"""Tenant scoping for admin screens: platform admins see everything; others only the makerspaces they manage.

Every write of a scoped screen goes through a makerspace service with ``actor=request.user`` (forms in
``save_model``/``save_formset``, actions through ``run_service``), so the admin enforces the same rules
as the API. A refusal rolls the whole save back and comes back to the form as an error message.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.http import HttpResponseRedirect

from makerspace.models import Equipment, Makerspace, Member, MembershipPlan, Skill
from makrx.admin.actions import ServiceActionsMixin
from makrx.admin.display import LocalTimeAdminMixin, StatusBadgeMixin, timezone_at
from makrx.auth import roles, scoping
from makrx.errors import DomainError, PermissionDenied

# How to reach the makerspace id from a related model, for limiting foreign-key and filter choices.
RELATED_SCOPE = {
    Makerspace: "pk",
    Member: "makerspace_id",
    MembershipPlan: "makerspace_id",
    Skill: "makerspace_id",
    Equipment: "makerspace_id",
}


def admin_scope(request) -> set[int] | None:
    """None = every makerspace; else the ids the user manages (cached on the request)."""
    if roles.is_platform_admin(request.user):
        return None
    if not hasattr(request, "_makerspace_admin_scope"):
        request._makerspace_admin_scope = scoping.managed_makerspace_ids(request.user)
    return request._makerspace_admin_scope


def scope_q(related_model, request) -> Q | None:
    """The rows of ``related_model`` inside the user's admin scope (None: no limit, or not a scoped model)."""
    scope = admin_scope(request)
    if scope is None or related_model not in RELATED_SCOPE:
        return None
    return Q(**{f"{RELATED_SCOPE[related_model]}__in": scope})


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """A service refusal on the form: per field where it names one of the form's fields, else on the form."""
    placed = False
    for name, errors in (exc.errors or {}).items() if isinstance(exc.errors, dict) else ():
        if name in form.fields:
            for error in errors if isinstance(errors, list | tuple) else [errors]:
                form.add_error(name, str(error))
            placed = True
    form.add_error(None, f"{exc.detail} ({exc.code})" if not placed else exc.detail)


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A foreign-key list filter whose choices are the user's makerspaces (and their machines, skills, ...)."""

    def field_choices(self, field, request, model_admin):
        limit = scope_q(field.related_model, request)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if limit is None:
            return field.get_choices(include_blank=False, ordering=ordering)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=limit)


def _relation(model, path: str):
    """The relation field at the end of a ``a__b`` list-filter path, or None."""
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if not field.is_relation:
            return None
        model = field.related_model
    return field


class MakerspaceScopedAdmin(LocalTimeAdminMixin, StatusBadgeMixin, ServiceActionsMixin, admin.ModelAdmin):
    """Filters rows by ``makerspace_path`` and grants the screens to managers of at least one makerspace.

    Times show in the row's makerspace's time zone (``LocalTimeAdminMixin`` reached by ``makerspace_path``);
    an add page of a manager of one makerspace reads its date inputs in that makerspace's zone.

    Subclasses that allow add or change write through a service in ``save_model``; the default refuses,
    so no screen saves a scoped model directly. Deleting is for platform admins unless a subclass says
    otherwise (``delete_model`` through a service).
    """

    makerspace_path = "makerspace"
    list_per_page = 50

    def get_timezone_path(self) -> str | None:
        return self.makerspace_path

    def object_timezone(self, request, obj):
        if obj is None:
            scope = admin_scope(request)
            if scope is not None and len(scope) == 1:
                return timezone_at(Makerspace.objects.filter(pk__in=scope).first(), None)
        return super().object_timezone(request, obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = admin_scope(request)
        if scope is None:
            return queryset
        return queryset.filter(**{f"{self.makerspace_path}__in": scope})

    def get_list_filter(self, request):
        scoped = []
        for entry in super().get_list_filter(request):
            field = _relation(self.model, entry) if isinstance(entry, str) else None
            if field is not None and field.related_model in RELATED_SCOPE:
                entry = (entry, ScopedRelatedFieldListFilter)
            scoped.append(entry)
        return scoped

    def _allowed(self, request, obj=None) -> bool:
        scope = admin_scope(request)
        if scope is None:
            return request.user.is_active and request.user.is_staff
        if not (request.user.is_active and request.user.is_staff and scope):
            return False
        if obj is None:
            return True
        value = obj
        for part in self.makerspace_path.split("__"):
            value = getattr(value, part, None)
        return getattr(value, "pk", value) in scope

    def has_module_permission(self, request):
        return self._allowed(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj) or super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return self._allowed(request) or super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return admin_scope(request) is None and self._allowed(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        limit = scope_q(db_field.related_model, request)
        if limit is not None:
            kwargs["queryset"] = db_field.related_model._default_manager.filter(limit)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        limit = scope_q(db_field.related_model, request)
        if limit is not None:
            kwargs["queryset"] = db_field.related_model._default_manager.filter(limit)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete asks the target screen; its queryset is scoped already, this keeps it so for any caller.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        limit = scope_q(self.model, request)
        return (queryset if limit is None else queryset.filter(limit)), may_have_duplicates

    # --- writes ---------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        raise PermissionDenied(f"{self.model._meta.verbose_name} is not edited here.")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A service's refusal (403, 409, ...) rolls the save back and shows its reason on the form again."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.detail, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.detail, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
