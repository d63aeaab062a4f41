"""Read-only admin building blocks: rows written by services only (events, lines, ledgers, delivery logs)."""

from django.contrib import admin


class _NoWrites:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(_NoWrites, admin.TabularInline):
    """A history table under a parent: shown, never added, edited or deleted from the admin."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields or ()

    def has_view_permission(self, request, obj=None):
        # Whoever may see the parent sees its history: makerspace managers have no Django model permissions of
        # their own (their screens grant access by scope), so the model-permission default hid these tables.
        parent_admin = self.admin_site._registry.get(self.parent_model)
        if parent_admin is not None:
            return parent_admin.has_view_permission(request, obj)
        return super().has_view_permission(request, obj)


class ReadOnlyAdminMixin(_NoWrites):
    """A model screen that lists and shows rows but never adds, changes or deletes them."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]
