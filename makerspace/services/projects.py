"""Project writes: create and edit, collaborators and invitations, tasks, likes, bookmarks, comments, forks,
featuring. Who may see a project is ``project_can_view``; who may change it, ``project_can_edit``.

Visibility: ``public`` projects are for everyone (anonymous too); ``members`` ones for active members of the
project's makerspace; ``private`` ones for the owner and accepted collaborators. Staff of the makerspace see
and moderate all of its projects (edit, remove comments, feature).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from makerspace.models import (
    BOMLine,
    Makerspace,
    Project,
    ProjectBookmark,
    ProjectCollaborator,
    ProjectComment,
    ProjectLike,
    ProjectMilestone,
    ProjectTag,
    ProjectTask,
)
from makrx.auth import roles, scoping
from makrx.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from makrx.notifications import notify

NOT_EDITOR = "not_project_editor"
NOT_OWNER = "not_project_owner"
PROJECT_FIELDS = ("title", "description", "visibility", "status", "tags")
MAX_TAGS = 20


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def collaborator_role(user, project: Project) -> str | None:
    """``owner``, ``editor``, ``viewer`` (accepted collaborators) or None."""
    if not _signed_in(user):
        return None
    if project.owner_id == user.pk:
        return "owner"
    row = ProjectCollaborator.objects.filter(project=project, user=user, accepted_at__isnull=False).first()
    return row.role if row else None


def project_can_view(user, project: Project) -> bool:
    if project.visibility == Project.Visibility.PUBLIC:
        return True
    if not _signed_in(user):
        return False
    if scoping.can_staff_makerspace(user, project.makerspace_id) or collaborator_role(user, project):
        return True
    return project.visibility == Project.Visibility.MEMBERS and scoping.can_use_makerspace(user, project.makerspace_id)


def project_view_require(user, project: Project) -> None:
    """Hidden projects are not found (404), so their existence does not leak."""
    if not project_can_view(user, project):
        raise NotFound("No such project.")


def project_can_edit(user, project: Project) -> bool:
    if not _signed_in(user):
        return False
    return collaborator_role(user, project) in ("owner", "editor") or scoping.can_staff_makerspace(
        user, project.makerspace_id
    )


def project_edit_require(user, project: Project) -> None:
    project_view_require(user, project)
    if not project_can_edit(user, project):
        raise PermissionDenied("Only the project's owner, its editors and staff may change it.", code=NOT_EDITOR)


def _signed_in_require(user) -> None:
    if not _signed_in(user):
        raise PermissionDenied("Sign in first.", code="not_authenticated")


def _tags(names) -> list[ProjectTag]:
    cleaned = sorted({str(name).strip().lower() for name in names if str(name).strip()})
    if len(cleaned) > MAX_TAGS or any(len(name) > 50 for name in cleaned):
        raise ValidationError("At most 20 tags of 50 characters.", errors={"tags": ["Too many or too long."]})
    existing = {tag.name: tag for tag in ProjectTag.objects.filter(name__in=cleaned)}
    for name in cleaned:
        if name not in existing:
            existing[name], _ = ProjectTag.objects.get_or_create(name=name)
    return [existing[name] for name in cleaned]


def _fields_validate(fields: dict) -> dict:
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if "visibility" in fields and fields["visibility"] not in Project.Visibility.values:
        raise ValidationError("Unknown visibility.", errors={"visibility": ["Unknown visibility."]})
    if "status" in fields and fields["status"] not in Project.Status.values:
        raise ValidationError("Unknown status.", errors={"status": ["Unknown status."]})
    if "title" in fields and not str(fields["title"]).strip():
        raise ValidationError("A title is required.", errors={"title": ["Required."]})
    return fields


# --- projects ------------------------------------------------------------------------------------


@transaction.atomic
def project_create(*, actor, makerspace: Makerspace, title: str, **fields) -> Project:
    """Members of a makerspace start projects there (private unless they say otherwise)."""
    scoping.makerspace_member_require(user=actor, makerspace_id=makerspace.pk)
    fields = _fields_validate({"title": title, **fields})
    tags = _tags(fields.pop("tags", []))
    project = Project.objects.create(owner=actor, makerspace=makerspace, **fields)
    project.tags.set(tags)
    return project


@transaction.atomic
def project_update(*, actor, project: Project, **fields) -> Project:
    locked = Project.objects.select_for_update().get(pk=project.pk)
    project_edit_require(actor, locked)
    fields = _fields_validate(dict(fields))
    tags = fields.pop("tags", None)
    for name, value in fields.items():
        setattr(locked, name, value)
    if locked.visibility != Project.Visibility.PUBLIC:
        locked.featured_at = None  # the showcase shows public projects only
    locked.save()
    if tags is not None:
        locked.tags.set(_tags(tags))
    return locked


@transaction.atomic
def project_feature(*, actor, project: Project, featured: bool) -> Project:
    """Staff pick a public project of their makerspace for the showcase (or take it out)."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    project_view_require(actor, locked)
    scoping.makerspace_staff_require(user=actor, makerspace_id=locked.makerspace_id)
    if featured and locked.visibility != Project.Visibility.PUBLIC:
        raise ConflictError("Only public projects are featured.", code="not_public")
    locked.featured_at = (locked.featured_at or timezone.now()) if featured else None
    locked.save(update_fields=["featured_at", "updated_at"])
    return locked


@transaction.atomic
def project_fork(*, actor, project: Project, makerspace: Makerspace | None = None, title: str = "") -> Project:
    """Copy a project the actor can see (description, tags and BOM) into a new private project of theirs.

    The fork keeps a link to the original. BOM lines restart as ``needed``; a line's inventory item is kept
    only when the fork lives in the same makerspace (items belong to their space), its store SKU always.
    """
    _signed_in_require(actor)
    project_view_require(actor, project)
    target = makerspace or project.makerspace
    scoping.makerspace_member_require(user=actor, makerspace_id=target.pk)
    fork = Project.objects.create(
        owner=actor,
        makerspace=target,
        title=(title or f"Fork of {project.title}")[:200],
        description=project.description,
        visibility=Project.Visibility.PRIVATE,
        status=Project.Status.IDEA,
        forked_from=project,
    )
    fork.tags.set(project.tags.all())
    same_space = target.pk == project.makerspace_id
    lines = []
    for line in project.bom_lines.select_related("inventory_item").order_by("id"):
        item = line.inventory_item if same_space else None
        store_sku = line.store_sku or (line.inventory_item.store_sku if line.inventory_item else "")
        description = line.description or (line.inventory_item.name if line.inventory_item else "")
        if item is None and not store_sku:
            continue  # an item of another space with no store SKU cannot be named in the fork's space
        lines.append(
            BOMLine(
                project=fork,
                inventory_item=item,
                store_sku=store_sku,
                description=description,
                quantity=line.quantity,
                unit_cost=line.unit_cost,
                currency=line.currency,
            )
        )
    BOMLine.objects.bulk_create(lines)
    return fork


# --- collaborators -------------------------------------------------------------------------------


@transaction.atomic
def collaborator_invite(*, actor, project: Project, user, role: str) -> ProjectCollaborator:
    """The owner invites someone as editor or viewer; they join when they accept (409 if already invited)."""
    project_view_require(actor, project)
    if project.owner_id != getattr(actor, "pk", None) and not roles.is_platform_admin(actor):
        raise PermissionDenied("Only the project's owner invites collaborators.", code=NOT_OWNER)
    if role not in ProjectCollaborator.Role.values:
        raise ValidationError("Role is editor or viewer.", errors={"role": ["Unknown role."]})
    if user.pk == project.owner_id:
        raise ConflictError("The owner is already on the project.", code="already_collaborator")
    try:
        with transaction.atomic():
            row = ProjectCollaborator.objects.create(project=project, user=user, role=role, invited_by=actor)
    except IntegrityError:
        raise ConflictError("Already invited or on the project.", code="already_collaborator")
    notify(
        user,
        "project.invited",
        {"project": project.title, "role": role, "invited_by": actor.display_name},
        makerspace=project.makerspace_id,
    )
    return row


@transaction.atomic
def collaborator_accept(*, actor, project: Project) -> ProjectCollaborator:
    """The invitee accepts (409 ``no_invitation`` when there is none pending)."""
    _signed_in_require(actor)
    row = ProjectCollaborator.objects.select_for_update().filter(project=project, user=actor).first()
    if row is None:
        if project_can_view(actor, project):
            raise ConflictError("You have no invitation to this project.", code="no_invitation")
        raise NotFound("No such project.")
    if row.accepted_at is not None:
        raise ConflictError("You are already a collaborator.", code="already_collaborator")
    row.accepted_at = timezone.now()
    row.save(update_fields=["accepted_at", "updated_at"])
    return row


# --- tasks ---------------------------------------------------------------------------------------


@transaction.atomic
def task_create(*, actor, project: Project, title: str, assignee=None, due_date=None, milestone=None) -> ProjectTask:
    project_edit_require(actor, project)
    if (
        assignee is not None
        and assignee.pk != project.owner_id
        and not ProjectCollaborator.objects.filter(project=project, user=assignee, accepted_at__isnull=False).exists()
    ):
        raise ValidationError("Assign tasks to the owner or a collaborator.", errors={"assignee": ["Not on it."]})
    if milestone is not None and milestone.project_id != project.pk:
        raise ValidationError("Unknown milestone.", errors={"milestone": ["Not this project's."]})
    return ProjectTask.objects.create(
        project=project, title=title, assignee=assignee, due_date=due_date, milestone=milestone
    )


@transaction.atomic
def task_update(*, actor, task: ProjectTask, **fields) -> ProjectTask:
    locked = ProjectTask.objects.select_for_update().select_related("project").get(pk=task.pk)
    project_edit_require(actor, locked.project)
    allowed = {"title", "status", "due_date"}
    if set(fields) - allowed:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(set(fields) - allowed))}.")
    if "status" in fields and fields["status"] not in ProjectTask.Status.values:
        raise ValidationError("Unknown status.", errors={"status": ["Unknown status."]})
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    return locked


@transaction.atomic
def milestone_create(*, actor, project: Project, title: str, due_date=None) -> ProjectMilestone:
    project_edit_require(actor, project)
    if not title.strip():
        raise ValidationError("A title is required.", errors={"title": ["Required."]})
    return ProjectMilestone.objects.create(project=project, title=title, due_date=due_date)


@transaction.atomic
def milestone_update(*, actor, milestone: ProjectMilestone, **fields) -> ProjectMilestone:
    """Edit title and due date; ``completed`` true/false sets or clears the completion time."""
    locked = ProjectMilestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)
    project_edit_require(actor, locked.project)
    allowed = {"title", "due_date", "completed"}
    if set(fields) - allowed:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(set(fields) - allowed))}.")
    if "completed" in fields:
        completed = fields.pop("completed")
        locked.completed_at = (locked.completed_at or timezone.now()) if completed else None
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    return locked


# --- likes, bookmarks ----------------------------------------------------------------------------


def _mark(model, *, actor, project: Project, on: bool) -> bool:
    """Idempotent toggle: INSERT … ON CONFLICT DO NOTHING, so a double submit (even concurrent) counts once."""
    _signed_in_require(actor)
    project_view_require(actor, project)
    if on:
        model.objects.bulk_create(
            [model(project=project, user=actor, created_at=timezone.now())], ignore_conflicts=True
        )
    else:
        model.objects.filter(project=project, user=actor).delete()
    return on


def project_like(*, actor, project: Project, liked: bool = True) -> int:
    """Like (or unlike) once per user; returns the project's like count."""
    _mark(ProjectLike, actor=actor, project=project, on=liked)
    return ProjectLike.objects.filter(project=project).count()


def project_bookmark(*, actor, project: Project, bookmarked: bool = True) -> bool:
    return _mark(ProjectBookmark, actor=actor, project=project, on=bookmarked)


# --- comments ------------------------------------------------------------------------------------


@transaction.atomic
def comment_add(*, actor, project: Project, body: str, parent: ProjectComment | None = None) -> ProjectComment:
    """Anyone signed in who sees the project comments; replies go one level deep."""
    _signed_in_require(actor)
    project_view_require(actor, project)
    if not body.strip():
        raise ValidationError("Say something.", errors={"body": ["Required."]})
    if parent is not None:
        if parent.project_id != project.pk:
            raise ValidationError("Reply to a comment of this project.", errors={"parent": ["Not this project's."]})
        if parent.parent_id is not None:
            parent = parent.parent  # threads are one level deep: a reply to a reply joins the same thread
        if parent.removed_at is not None:
            raise ConflictError("That comment was removed.", code="comment_removed")
    return ProjectComment.objects.create(project=project, author=actor, parent=parent, body=body)


@transaction.atomic
def comment_edit(*, actor, comment: ProjectComment, body: str) -> ProjectComment:
    locked = ProjectComment.objects.select_for_update().get(pk=comment.pk)
    if locked.author_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only its author edits a comment.", code="not_comment_author")
    if locked.removed_at is not None:
        raise ConflictError("That comment was removed.", code="comment_removed")
    if not body.strip():
        raise ValidationError("Say something.", errors={"body": ["Required."]})
    locked.body = body
    locked.edited_at = timezone.now()
    locked.save(update_fields=["body", "edited_at", "updated_at"])
    return locked


@transaction.atomic
def comment_remove(*, actor, comment: ProjectComment) -> ProjectComment:
    """Its author or staff of the project's makerspace remove a comment (its text is hidden, replies stay)."""
    locked = ProjectComment.objects.select_for_update().select_related("project").get(pk=comment.pk)
    is_author = locked.author_id == getattr(actor, "pk", None)
    if not is_author:
        scoping.makerspace_staff_require(user=actor, makerspace_id=locked.project.makerspace_id)
    if locked.removed_at is None:
        locked.removed_at = timezone.now()
        locked.removed_by = actor
        locked.save(update_fields=["removed_at", "removed_by", "updated_at"])
    return locked
