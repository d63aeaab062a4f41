"""Project reads: what a user may see (anonymous: public only), details with counts, comments, tasks,
collaborators, and the showcase (featured, trending computed in SQL)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from makerspace.models import (
    Project,
    ProjectBookmark,
    ProjectCollaborator,
    ProjectComment,
    ProjectLike,
    ProjectMilestone,
    ProjectTask,
    ProjectViewDay,
)
from makrx.auth import roles, scoping

TRENDING_DAYS = 14
LIKE_WEIGHT = 3  # a like says more than a view


def visible_q(user) -> Q:
    """The projects ``user`` may see (see ``services.projects`` for the rule)."""
    public = Q(visibility=Project.Visibility.PUBLIC)
    if not getattr(user, "is_authenticated", False):
        return public
    if roles.is_platform_admin(user):
        return Q()
    collaborating = Exists(
        ProjectCollaborator.objects.filter(project=OuterRef("pk"), user=user, accepted_at__isnull=False)
    )
    q = public | Q(owner=user) | Q(collaborating)
    member_spaces = scoping.member_makerspace_ids(user)
    staffed = scoping.staffed_makerspace_ids(user)
    if member_spaces:
        q |= Q(visibility=Project.Visibility.MEMBERS, makerspace_id__in=member_spaces)
    if staffed:
        q |= Q(makerspace_id__in=staffed)
    return q


def _annotated(queryset: QuerySet, user) -> QuerySet:
    """Counts and the viewer's own marks as annotations: a page of 100 costs what a page of 1 does."""
    likes = ProjectLike.objects.filter(project=OuterRef("pk")).values("project").annotate(n=Count("id")).values("n")
    queryset = queryset.annotate(
        like_count=Coalesce(Subquery(likes, output_field=IntegerField()), 0),
    )
    if getattr(user, "is_authenticated", False):
        queryset = queryset.annotate(
            liked=Exists(ProjectLike.objects.filter(project=OuterRef("pk"), user=user)),
            bookmarked=Exists(ProjectBookmark.objects.filter(project=OuterRef("pk"), user=user)),
        )
    else:
        queryset = queryset.annotate(
            liked=Value(False, output_field=BooleanField()), bookmarked=Value(False, output_field=BooleanField())
        )
    return queryset.select_related("owner", "makerspace", "forked_from").prefetch_related("tags")


def project_list(*, user) -> QuerySet[Project]:
    return _annotated(Project.objects.filter(visible_q(user)), user).order_by("-created_at", "-id")


def project_featured_list(*, user) -> QuerySet[Project]:
    """Staff picks: public projects only, newest pick first."""
    queryset = Project.objects.filter(visibility=Project.Visibility.PUBLIC, featured_at__isnull=False)
    return _annotated(queryset, user).order_by("-featured_at", "-id")


def trending_window_start(now=None):
    now = now or timezone.now()
    return now - timedelta(days=TRENDING_DAYS), (now - timedelta(days=TRENDING_DAYS - 1)).date()


def project_trending_list(*, user, now=None) -> QuerySet[Project]:
    """Public projects ranked by ``3 × likes + views`` of the last 14 days (views by UTC day, today included),
    ties by newest; projects with no activity in the window are left out. One SQL query."""
    since, first_day = trending_window_start(now)
    recent_likes = (
        ProjectLike.objects.filter(project=OuterRef("pk"), created_at__gte=since)
        .values("project")
        .annotate(n=Count("id"))
        .values("n")
    )
    recent_views = (
        ProjectViewDay.objects.filter(project=OuterRef("pk"), day__gte=first_day)
        .values("project")
        .annotate(n=Sum("views"))
        .values("n")
    )
    queryset = Project.objects.filter(visibility=Project.Visibility.PUBLIC).annotate(
        recent_likes=Coalesce(Subquery(recent_likes, output_field=IntegerField()), 0),
        recent_views=Coalesce(Subquery(recent_views, output_field=IntegerField()), 0),
    )
    queryset = queryset.annotate(trending_score=LIKE_WEIGHT * F("recent_likes") + F("recent_views")).filter(
        trending_score__gt=0
    )
    return _annotated(queryset, user).order_by("-trending_score", "-created_at", "-id")


def comment_list(*, project: Project) -> QuerySet[ProjectComment]:
    """Top-level comments and replies, oldest first (the client nests replies under ``parent``)."""
    return ProjectComment.objects.filter(project=project).select_related("author").order_by("created_at", "id")


def task_list(*, project: Project) -> QuerySet[ProjectTask]:
    return ProjectTask.objects.filter(project=project).select_related("assignee", "milestone").order_by("id")


def collaborator_list(*, project: Project) -> QuerySet[ProjectCollaborator]:
    return ProjectCollaborator.objects.filter(project=project).select_related("user", "invited_by").order_by("id")


def milestone_list(*, project: Project) -> QuerySet[ProjectMilestone]:
    return ProjectMilestone.objects.filter(project=project).order_by("due_date", "id")
