"""Members' projects: collaborators and invitations, tasks and milestones, files, and interactions (likes,
bookmarks, comments, forks, views)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from makrx.models import TimeStampedModel


class ProjectTag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Project(TimeStampedModel):
    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private (collaborators)"
        MEMBERS = "members", "Members of the makerspace"
        PUBLIC = "public", "Public"

    class Status(models.TextChoices):
        IDEA = "idea", "Idea"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        ARCHIVED = "archived", "Archived"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects")
    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    cover_image = models.ImageField(upload_to="projects/covers/", blank=True)
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IDEA, db_index=True)
    tags = models.ManyToManyField(ProjectTag, blank=True, related_name="projects")
    featured_at = models.DateTimeField(null=True, blank=True, help_text="Set by staff: shown in the showcase.")
    forked_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="forks")
    view_count = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=["private", "members", "public"]), name="project_visibility_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["idea", "in_progress", "completed", "archived"]), name="project_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["makerspace", "visibility"], name="project_space_visibility_idx"),
            models.Index(fields=["-featured_at"], condition=Q(featured_at__isnull=False), name="project_featured_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectCollaborator(TimeStampedModel):
    """A collaborator, or an invitation while ``accepted_at`` is empty. The owner is ``Project.owner``."""

    class Role(models.TextChoices):
        EDITOR = "editor", "Editor"
        VIEWER = "viewer", "Viewer"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="collaborators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_roles")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.VIEWER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="project_collaborator_unique"),
            models.CheckConstraint(condition=Q(role__in=["editor", "viewer"]), name="project_collaborator_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) on {self.project}"


class ProjectMilestone(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_date = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "due_date", "id"]

    def __str__(self) -> str:
        return self.title


class ProjectTask(TimeStampedModel):
    class Status(models.TextChoices):
        TODO = "todo", "To do"
        DOING = "doing", "Doing"
        DONE = "done", "Done"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    milestone = models.ForeignKey(
        ProjectMilestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    title = models.CharField(max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.TODO)

    class Meta:
        ordering = ["project", "status", "due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["todo", "doing", "done"]), name="project_task_status_valid")
        ]

    def __str__(self) -> str:
        return self.title


class ProjectFile(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="projects/files/")
    name = models.CharField(
        max_length=200, help_text="The uploader's file name (data only; stored under a generated name)."
    )
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["project", "name", "id"]

    def __str__(self) -> str:
        return self.name


class ProjectLike(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="project_like_once")]
        indexes = [models.Index(fields=["project", "created_at"], name="project_like_recent_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.project_id}"


class ProjectBookmark(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="bookmarks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="project_bookmark_once")]

    def __str__(self) -> str:
        return f"{self.user_id} bookmarked {self.project_id}"


class ProjectViewDay(models.Model):
    """Views of a project on one UTC day, flushed in batches from the cache (no write per view)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="view_days")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "day"], name="project_view_day_unique")]
        indexes = [models.Index(fields=["day", "project"], name="project_view_day_idx")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.day}: {self.views}"


class ProjectComment(TimeStampedModel):
    """Threaded one level: a reply's ``parent`` is a top-level comment. Staff remove (the text is hidden)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    body = models.TextField(max_length=5000)
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment #{self.pk} on {self.project_id}"
