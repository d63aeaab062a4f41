"""/projects/: public projects for everyone (no sign-in), members' and private ones for those who may see them;
collaborators, tasks, comments, likes, bookmarks, forks and the showcase. The services decide who acts."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from makerspace.api.filters import ProjectFilter
from makerspace.api.serializers import projects as s
from makerspace.api.views.base import (
    FeatureSwitched,
    MakerspaceApi,
    PostOnlyAction,
    conflict_response,
    makerspace_from_input,
)
from makerspace.models import Project, ProjectCollaborator, ProjectComment, ProjectMilestone, ProjectTask
from makerspace.selectors import projects as project_selectors
from makerspace.services import project_views
from makerspace.services import projects as project_services
from makrx.errors import NotFound, ValidationError
from makrx.models import User

TAGS = ["makerspace: projects"]


def project_for(user, pk: int) -> Project:
    """The project in the path, if the user may see it (404 otherwise)."""
    project = Project.objects.select_related("makerspace").filter(pk=pk).first()
    if project is None:
        raise NotFound("No such project.")
    project_services.project_view_require(user, project)
    return project


def _user_from_input(pk, field: str):
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise ValidationError("Unknown user.", errors={field: ["Unknown user."]})
    return user


class ProjectApi(FeatureSwitched, MakerspaceApi):
    permission_classes = [IsAuthenticatedOrReadOnly]
    feature = "projects"

    def project(self, pk: int) -> Project:
        project = project_for(self.request.user, pk)
        self.feature_check(project.makerspace_id)
        return project

    def render_project(self, project: Project, *, status_code=status.HTTP_200_OK):
        row = project_selectors.project_list(user=self.request.user).get(pk=project.pk)
        return Response(s.ProjectOutputSerializer(row, context=self.get_serializer_context()).data, status=status_code)


class ProjectListCreateApi(ProjectApi):
    serializer_class = s.ProjectOutputSerializer
    filterset_class = ProjectFilter
    search_fields = ["title", "description"]
    ordering_fields = ["created_at", "title", "view_count"]

    def get_queryset(self):
        return project_selectors.project_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.ProjectOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), s.ProjectOutputSerializer)

    @extend_schema(tags=TAGS, request=s.ProjectInputSerializer, responses={201: s.ProjectOutputSerializer})
    def post(self, request):
        serializer = s.ProjectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        makerspace = makerspace_from_input(data.pop("makerspace"))
        self.feature_check(makerspace.pk)
        project = project_services.project_create(actor=request.user, makerspace=makerspace, **data)
        return self.render_project(project, status_code=status.HTTP_201_CREATED)


class ProjectFeaturedApi(ProjectApi):
    serializer_class = s.ProjectOutputSerializer

    def get_queryset(self):
        return project_selectors.project_featured_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.ProjectOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), s.ProjectOutputSerializer)


class ProjectTrendingApi(ProjectApi):
    serializer_class = s.TrendingProjectSerializer

    def get_queryset(self):
        return project_selectors.project_trending_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.TrendingProjectSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), s.TrendingProjectSerializer)


class ProjectDetailApi(ProjectApi):
    serializer_class = s.ProjectOutputSerializer

    @extend_schema(tags=TAGS, responses=s.ProjectOutputSerializer)
    def get(self, request, pk: int):
        project = self.project(pk)
        project_views.project_view_record(project_id=project.pk)
        return self.render_project(project)

    @extend_schema(tags=TAGS, request=s.ProjectUpdateSerializer, responses=s.ProjectOutputSerializer)
    def patch(self, request, pk: int):
        project = self.project(pk)
        serializer = s.ProjectUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        project = project_services.project_update(actor=request.user, project=project, **serializer.validated_data)
        return self.render_project(project)


class ProjectForkApi(PostOnlyAction, ProjectApi):
    @extend_schema(tags=TAGS, request=s.ForkInputSerializer, responses={201: s.ProjectOutputSerializer})
    def post(self, request, pk: int):
        project = self.project(pk)
        serializer = s.ForkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        space_id = serializer.validated_data.get("makerspace")
        fork = project_services.project_fork(
            actor=request.user,
            project=project,
            makerspace=makerspace_from_input(space_id) if space_id else None,
            title=serializer.validated_data["title"],
        )
        return self.render_project(fork, status_code=status.HTTP_201_CREATED)


class ProjectLikeApi(PostOnlyAction, ProjectApi):
    liked = True

    @extend_schema(tags=TAGS, request=None, responses=s.LikeOutputSerializer)
    def post(self, request, pk: int):
        count = project_services.project_like(actor=request.user, project=self.project(pk), liked=self.liked)
        return Response(s.LikeOutputSerializer({"liked": self.liked, "like_count": count}).data)


class ProjectUnlikeApi(ProjectLikeApi):
    liked = False


class ProjectBookmarkApi(PostOnlyAction, ProjectApi):
    bookmarked = True

    @extend_schema(tags=TAGS, request=None, responses=s.BookmarkOutputSerializer)
    def post(self, request, pk: int):
        marked = project_services.project_bookmark(
            actor=request.user, project=self.project(pk), bookmarked=self.bookmarked
        )
        return Response(s.BookmarkOutputSerializer({"bookmarked": marked}).data)


class ProjectUnbookmarkApi(ProjectBookmarkApi):
    bookmarked = False


class ProjectFeatureApi(PostOnlyAction, ProjectApi):
    @extend_schema(
        tags=TAGS,
        request=s.FeatureInputSerializer,
        responses={200: s.ProjectOutputSerializer, 409: conflict_response("not_public")},
    )
    def post(self, request, pk: int):
        serializer = s.FeatureInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = project_services.project_feature(
            actor=request.user, project=self.project(pk), featured=serializer.validated_data["featured"]
        )
        return self.render_project(project)


class ProjectCollaboratorListApi(ProjectApi):
    # The schema generator reads the model from here; the views call their selectors.
    queryset = ProjectCollaborator.objects.none()
    serializer_class = s.CollaboratorOutputSerializer

    @extend_schema(tags=TAGS, responses=s.CollaboratorOutputSerializer(many=True))
    def get(self, request, pk: int):
        project = self.project(pk)
        return self.paginated(project_selectors.collaborator_list(project=project), s.CollaboratorOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=s.CollaboratorInputSerializer,
        responses={201: s.CollaboratorOutputSerializer, 409: conflict_response("already_collaborator")},
    )
    def post(self, request, pk: int):
        project = self.project(pk)
        serializer = s.CollaboratorInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = project_services.collaborator_invite(
            actor=request.user,
            project=project,
            user=_user_from_input(serializer.validated_data["user"], "user"),
            role=serializer.validated_data["role"],
        )
        return Response(s.CollaboratorOutputSerializer(row).data, status=status.HTTP_201_CREATED)


class ProjectCollaboratorAcceptApi(PostOnlyAction, ProjectApi):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: s.CollaboratorOutputSerializer, 409: conflict_response("no_invitation, already_collaborator")},
    )
    def post(self, request, pk: int):
        project = Project.objects.filter(pk=pk).first()
        if project is None:
            raise NotFound("No such project.")
        row = project_services.collaborator_accept(actor=request.user, project=project)
        return Response(s.CollaboratorOutputSerializer(row).data)


class ProjectCommentListApi(ProjectApi):
    # The schema generator reads the model from here; the views call their selectors.
    queryset = ProjectComment.objects.none()
    serializer_class = s.CommentOutputSerializer

    @extend_schema(tags=TAGS, responses=s.CommentOutputSerializer(many=True))
    def get(self, request, pk: int):
        return self.paginated(project_selectors.comment_list(project=self.project(pk)), s.CommentOutputSerializer)

    @extend_schema(tags=TAGS, request=s.CommentInputSerializer, responses={201: s.CommentOutputSerializer})
    def post(self, request, pk: int):
        project = self.project(pk)
        serializer = s.CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        parent = None
        parent_id = serializer.validated_data.get("parent")
        if parent_id is not None:
            parent = ProjectComment.objects.filter(pk=parent_id, project=project).first()
            if parent is None:
                raise ValidationError("Unknown comment.", errors={"parent": ["Not a comment of this project."]})
        comment = project_services.comment_add(
            actor=request.user, project=project, body=serializer.validated_data["body"], parent=parent
        )
        return Response(s.CommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED)


class ProjectCommentDetailApi(ProjectApi):
    def comment(self, pk: int, comment_id: int) -> ProjectComment:
        project = self.project(pk)
        comment = ProjectComment.objects.select_related("author").filter(pk=comment_id, project=project).first()
        if comment is None:
            raise NotFound("No such comment.")
        return comment

    @extend_schema(tags=TAGS, request=s.CommentUpdateSerializer, responses=s.CommentOutputSerializer)
    def patch(self, request, pk: int, comment_id: int):
        comment = self.comment(pk, comment_id)
        serializer = s.CommentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = project_services.comment_edit(
            actor=request.user, comment=comment, body=serializer.validated_data["body"]
        )
        return Response(s.CommentOutputSerializer(comment).data)

    @extend_schema(tags=TAGS, request=None, responses={204: None})
    def delete(self, request, pk: int, comment_id: int):
        project_services.comment_remove(actor=request.user, comment=self.comment(pk, comment_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectTaskListApi(ProjectApi):
    # The schema generator reads the model from here; the views call their selectors.
    queryset = ProjectTask.objects.none()
    serializer_class = s.TaskOutputSerializer

    @extend_schema(tags=TAGS, responses=s.TaskOutputSerializer(many=True))
    def get(self, request, pk: int):
        return self.paginated(project_selectors.task_list(project=self.project(pk)), s.TaskOutputSerializer)

    @extend_schema(tags=TAGS, request=s.TaskInputSerializer, responses={201: s.TaskOutputSerializer})
    def post(self, request, pk: int):
        project = self.project(pk)
        serializer = s.TaskInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        task = project_services.task_create(
            actor=request.user,
            project=project,
            title=data["title"],
            assignee=_user_from_input(data.get("assignee"), "assignee"),
            due_date=data.get("due_date"),
        )
        return Response(s.TaskOutputSerializer(task).data, status=status.HTTP_201_CREATED)


class ProjectTaskDetailApi(ProjectApi):
    @extend_schema(tags=TAGS, request=s.TaskUpdateSerializer, responses=s.TaskOutputSerializer)
    def patch(self, request, pk: int, task_id: int):
        project = self.project(pk)
        task = ProjectTask.objects.filter(pk=task_id, project=project).first()
        if task is None:
            raise NotFound("No such task.")
        serializer = s.TaskUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        task = project_services.task_update(actor=request.user, task=task, **serializer.validated_data)
        return Response(s.TaskOutputSerializer(task).data)


class ProjectMilestoneListApi(ProjectApi):
    # The schema generator reads the model from here; the views call their selectors.
    queryset = ProjectMilestone.objects.none()
    serializer_class = s.MilestoneOutputSerializer

    @extend_schema(tags=TAGS, responses=s.MilestoneOutputSerializer(many=True))
    def get(self, request, pk: int):
        return self.paginated(project_selectors.milestone_list(project=self.project(pk)), s.MilestoneOutputSerializer)

    @extend_schema(tags=TAGS, request=s.MilestoneInputSerializer, responses={201: s.MilestoneOutputSerializer})
    def post(self, request, pk: int):
        project = self.project(pk)
        serializer = s.MilestoneInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        milestone = project_services.milestone_create(actor=request.user, project=project, **serializer.validated_data)
        return Response(s.MilestoneOutputSerializer(milestone).data, status=status.HTTP_201_CREATED)


class ProjectMilestoneDetailApi(ProjectApi):
    @extend_schema(tags=TAGS, request=s.MilestoneUpdateSerializer, responses=s.MilestoneOutputSerializer)
    def patch(self, request, pk: int, milestone_id: int):
        project = self.project(pk)
        milestone = ProjectMilestone.objects.filter(pk=milestone_id, project=project).first()
        if milestone is None:
            raise NotFound("No such milestone.")
        serializer = s.MilestoneUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        milestone = project_services.milestone_update(
            actor=request.user, milestone=milestone, **serializer.validated_data
        )
        return Response(s.MilestoneOutputSerializer(milestone).data)
