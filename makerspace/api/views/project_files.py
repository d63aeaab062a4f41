"""/projects/{id}/files/ and /projects/{id}/cover/: multipart uploads checked by the services (who, size, content),
listed for whoever sees the project (anonymous too for public projects)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from makerspace.api.serializers import project_files as s
from makerspace.api.serializers.common import ErrorSerializer
from makerspace.api.serializers.projects import ProjectOutputSerializer
from makerspace.api.views.base import PostOnlyAction, conflict_response
from makerspace.api.views.projects import TAGS, ProjectApi
from makerspace.models import ProjectFile
from makerspace.selectors import project_files as file_selectors
from makerspace.services import project_files as file_services
from makrx.errors import NotFound

UPLOAD_REFUSALS = {
    413: OpenApiResponse(ErrorSerializer, description="too_large (over UPLOAD_MAX_MB), too_many_pixels (covers)"),
    415: OpenApiResponse(ErrorSerializer, description="unsupported_file: refused by its content or name"),
}


class ProjectFileListApi(ProjectApi):
    # The schema generator reads the model from here; the views call their selectors.
    queryset = ProjectFile.objects.none()
    serializer_class = s.ProjectFileOutputSerializer

    @extend_schema(tags=TAGS, responses=s.ProjectFileOutputSerializer(many=True))
    def get(self, request, pk: int):
        project = self.project(pk)
        return self.paginated(file_selectors.project_file_list(project=project), s.ProjectFileOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request={"multipart/form-data": s.ProjectFileInputSerializer},
        responses={
            201: s.ProjectFileOutputSerializer,
            409: conflict_response("too_many_files"),
            **UPLOAD_REFUSALS,
        },
    )
    def post(self, request, pk: int):
        # The part is handed over as sent: the service checks the actor before it reads the file.
        row = file_services.project_file_add(
            actor=request.user, project=self.project(pk), uploaded=request.FILES.get("file")
        )
        return Response(
            s.ProjectFileOutputSerializer(row, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class ProjectFileDetailApi(ProjectApi):
    @extend_schema(tags=TAGS, request=None, responses={204: None})
    def delete(self, request, pk: int, file_id: int):
        project_file = file_selectors.project_file_get(project=self.project(pk), file_id=file_id)
        if project_file is None:
            raise NotFound("No such file.")
        file_services.project_file_delete(actor=request.user, project_file=project_file)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectCoverApi(PostOnlyAction, ProjectApi):
    @extend_schema(
        tags=TAGS,
        request={"multipart/form-data": s.ProjectCoverInputSerializer},
        responses={200: ProjectOutputSerializer, **UPLOAD_REFUSALS},
    )
    def post(self, request, pk: int):
        project = file_services.project_cover_set(
            actor=request.user, project=self.project(pk), uploaded=request.FILES.get("image")
        )
        return self.render_project(project)
