"""Admin for projects (collaborator, task and BOM inlines; feature actions) and comments (remove action)."""

from __future__ import annotations

from django.contrib import admin

from makerspace.admin.scoping import MakerspaceScopedAdmin
from makerspace.models import (
    BOMLine,
    Project,
    ProjectCollaborator,
    ProjectComment,
    ProjectFile,
    ProjectMilestone,
    ProjectTask,
)
from makerspace.services import projects as project_services
from makrx.admin.readonly import ReadOnlyInline

EDITABLE = ("title", "description", "visibility", "status")


class CollaboratorInline(ReadOnlyInline):
    model = ProjectCollaborator
    fk_name = "project"
    fields = ("user", "role", "invited_by", "accepted_at")


class TaskInline(ReadOnlyInline):
    model = ProjectTask
    fields = ("title", "assignee", "due_date", "status", "milestone")


class MilestoneInline(ReadOnlyInline):
    model = ProjectMilestone
    fields = ("title", "due_date", "completed_at")


class FileInline(ReadOnlyInline):
    model = ProjectFile
    fields = ("name", "file", "size", "uploaded_by", "created_at")


class BOMLineInline(ReadOnlyInline):
    model = BOMLine
    fields = ("inventory_item", "store_sku", "description", "quantity", "unit_cost", "currency", "state")


@admin.register(Project)
class ProjectAdmin(MakerspaceScopedAdmin):
    list_display = ("title", "owner", "makerspace", "visibility", "status", "featured_at", "view_count", "created_at")
    list_filter = ("visibility", "status", "makerspace")
    search_fields = ("title", "description", "owner__username", "tags__name")
    autocomplete_fields = ("owner", "makerspace")
    list_select_related = ("owner", "makerspace")
    date_hierarchy = "created_at"
    readonly_fields = ("owner", "makerspace", "forked_from", "featured_at", "view_count", "created_at", "updated_at")
    fields = (*EDITABLE, "owner", "makerspace", "forked_from", "featured_at", "view_count", "created_at", "updated_at")
    inlines = [CollaboratorInline, MilestoneInline, TaskInline, FileInline, BOMLineInline]
    actions = ["feature", "unfeature"]

    def has_add_permission(self, request):
        return False  # members start projects through the API (they must belong to the makerspace)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE}
        if fields:
            project_services.project_update(actor=request.user, project=obj, **fields)

    @admin.action(description="Feature selected public projects (showcase)")
    def feature(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda p: project_services.project_feature(actor=request.user, project=p, featured=True),
            "featured",
        )

    @admin.action(description="Remove selected projects from the showcase")
    def unfeature(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda p: project_services.project_feature(actor=request.user, project=p, featured=False),
            "unfeatured",
        )


@admin.register(ProjectComment)
class ProjectCommentAdmin(MakerspaceScopedAdmin):
    makerspace_path = "project__makerspace"
    list_display = ("id", "project", "author", "parent", "created_at", "edited_at", "removed_at")
    list_filter = ("project__makerspace",)
    search_fields = ("body", "author__username", "project__title")
    list_select_related = ("project", "author")
    readonly_fields = ("project", "author", "parent", "body", "edited_at", "removed_at", "removed_by", "created_at")
    actions = ["remove"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Remove selected comments (hides their text)")
    def remove(self, request, queryset):
        self.run_service(
            request, queryset, lambda c: project_services.comment_remove(actor=request.user, comment=c), "removed"
        )
