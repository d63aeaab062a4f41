"""Project file reads: a project's files, oldest name first, with their uploader (one query per page)."""

from __future__ import annotations

from django.db.models import QuerySet

from makerspace.models import Project, ProjectFile


def project_file_list(*, project: Project) -> QuerySet[ProjectFile]:
    """The files of a project the caller already may see (the view checks visibility)."""
    return ProjectFile.objects.filter(project=project).select_related("uploaded_by").order_by("name", "id")


def project_file_get(*, project: Project, file_id: int) -> ProjectFile | None:
    return ProjectFile.objects.filter(project=project, pk=file_id).first()
