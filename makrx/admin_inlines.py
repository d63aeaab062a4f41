"""Admin inline shared by every app: a read-only history table (events, lines, status changes)."""

from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """Rows written by services only: shown, never added, edited or deleted from the admin."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields or ()

    def has_add_permission(self, request, obj=None):
        return False
