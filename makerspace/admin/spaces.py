"""Admin for makerspaces, opening hours and closures; every save goes through the space services."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin, admin_scope
from makerspace.models import Closure, Makerspace, OpeningHours
from makerspace.services import spaces as space_services
from makrx.auth import roles


class MakerspaceInline(admin.TabularInline):
    """Rows under a makerspace: editable by whoever may manage that makerspace (the services check again)."""

    extra = 0

    def _manages(self, request, obj) -> bool:
        scope = admin_scope(request)
        if not request.user.is_staff:
            return False
        return scope is None or (obj is not None and obj.pk in scope)

    def has_view_permission(self, request, obj=None):
        return self._manages(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._manages(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._manages(request, obj)


class OpeningHoursInline(MakerspaceInline):
    """The whole week is saved at once through ``opening_hours_set`` (which refuses overlaps)."""

    model = OpeningHours
    ordering = ["weekday", "opens"]


class ClosureInline(MakerspaceInline):
    """Closures are added or removed (through the services), not edited in place."""

    model = Closure
    ordering = ["-starts_on"]

    def has_change_permission(self, request, obj=None):
        # An inline without change permission shows its rows read-only; new rows stay possible.
        return False


@admin.register(Makerspace)
class MakerspaceAdmin(MakerspaceScopedAdmin):
    makerspace_path = "pk"
    list_display = ("name", "slug", "timezone", "join_policy", "active", "contact_email", "created_at")
    list_filter = ("active", "join_policy", "timezone")
    search_fields = ("name", "slug", "address", "contact_email")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
    inlines = [OpeningHoursInline, ClosureInline]

    def has_add_permission(self, request):
        # New makerspaces are a platform decision.
        return roles.is_platform_admin(request.user)

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in form.changed_data if name in space_services.MAKERSPACE_FIELDS
        }
        if change:
            space_services.makerspace_update(makerspace=obj, actor=request.user, **fields)
            return
        fields.pop("name", None)
        created = space_services.makerspace_create(actor=request.user, name=form.cleaned_data["name"], **fields)
        obj.pk = created.pk

    def save_formset(self, request, form, formset, change):
        makerspace = form.instance
        # The admin's change message reads these; the services did the saving.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is OpeningHours:
            if not formset.has_changed():
                return
            intervals = [
                {
                    "weekday": f.cleaned_data["weekday"],
                    "opens": f.cleaned_data["opens"],
                    "closes": f.cleaned_data["closes"],
                }
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            space_services.opening_hours_set(makerspace=makerspace, intervals=intervals, actor=request.user)
            return
        if formset.model is Closure:
            for closure_form in formset.forms:
                data = closure_form.cleaned_data
                if not data:
                    continue
                if data.get("DELETE") and closure_form.instance.pk:
                    space_services.closure_delete(closure=closure_form.instance, actor=request.user)
                elif not closure_form.instance.pk and not data.get("DELETE"):
                    space_services.closure_create(
                        makerspace=makerspace,
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                        reason=data.get("reason", ""),
                        actor=request.user,
                    )
            return
        super().save_formset(request, form, formset, change)

    def has_delete_permission(self, request, obj=None):
        return admin_scope(request) is None and request.user.is_staff


@admin.register(OpeningHours)
class OpeningHoursAdmin(MakerspaceScopedAdmin):
    """Read-only list: hours are edited as a week on the makerspace's page (one service call)."""

    list_display = ("makerspace", "weekday", "opens", "closes")
    list_filter = ("weekday", "makerspace")
    search_fields = ("makerspace__name",)
    list_select_related = ("makerspace",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Closure)
class ClosureAdmin(MakerspaceScopedAdmin):
    """Add and delete closures through the services; a closure is not edited in place."""

    list_display = ("makerspace", "starts_on", "ends_on", "reason")
    list_filter = ("makerspace",)
    search_fields = ("makerspace__name", "reason")
    date_hierarchy = "starts_on"
    autocomplete_fields = ("makerspace",)
    list_select_related = ("makerspace",)
    actions = ["delete_closures"]

    def has_change_permission(self, request, obj=None):
        return obj is None and self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletion goes through the service, one closure at a time
        return actions

    def save_model(self, request, obj, form, change):
        created = space_services.closure_create(
            makerspace=obj.makerspace,
            starts_on=obj.starts_on,
            ends_on=obj.ends_on,
            reason=obj.reason,
            actor=request.user,
        )
        obj.pk = created.pk

    def delete_model(self, request, obj):
        space_services.closure_delete(closure=obj, actor=request.user)

    @admin.action(description="Delete selected closures")
    def delete_closures(self, request, queryset):
        self.run_service(
            request, queryset, lambda c: space_services.closure_delete(closure=c, actor=request.user), "deleted"
        )
