"""/members/: scoped list, detail with history, approve/reject, suspend/reactivate, role changes, skill grants.

Who may do what is the services' rule (``makerspace/services/members.py``, ``skills.py``); these views
parse, call one service with ``actor=request.user`` and render.
"""

from __future__ import annotations

import csv

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from makerspace.api.filters import MemberFilter
from makerspace.api.serializers.common import (
    MAX_ID,
    ErrorSerializer,
    ReasonInputSerializer,
    RequiredReasonInputSerializer,
)
from makerspace.api.serializers.members import (
    MemberBulkInputSerializer,
    MemberBulkOutputSerializer,
    MemberDetailSerializer,
    MemberExportQuerySerializer,
    MemberOutputSerializer,
    MemberRoleInputSerializer,
    MemberSkillGrantInputSerializer,
    MemberSkillOutputSerializer,
)
from makerspace.api.views.base import MakerspaceApi, query_params
from makerspace.models import Member, MembershipPlan, Skill
from makerspace.selectors import members as member_selectors
from makerspace.selectors import skills as skill_selectors
from makerspace.services import members as member_services
from makerspace.services import skills as skill_services
from makrx.errors import NotFound, ValidationError

TAGS = ["makerspace: members"]
TRANSITION_RESPONSES = {
    200: MemberOutputSerializer,
    403: OpenApiResponse(
        ErrorSerializer,
        description="not_makerspace_staff, not_makerspace_manager, not_makerspace_admin, own_membership",
    ),
    409: OpenApiResponse(ErrorSerializer, description="invalid_transition"),
}


class MemberScopedApi(MakerspaceApi):
    serializer_class = MemberOutputSerializer

    def get_queryset(self):
        return member_selectors.member_list(user=self.request.user)


class MemberListApi(MemberScopedApi):
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    ordering_fields = ["created_at", "joined_at", "status", "role"]
    filterset_class = MemberFilter

    @extend_schema(tags=TAGS, responses=MemberOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), MemberOutputSerializer)


class MemberDetailApi(MemberScopedApi):
    serializer_class = MemberDetailSerializer

    def get_queryset(self):
        return member_selectors.member_detail_queryset(user=self.request.user)

    @extend_schema(tags=TAGS, responses=MemberDetailSerializer)
    def get(self, request, pk: int):
        return Response(MemberDetailSerializer(self.get_object()).data)

    @extend_schema(
        tags=TAGS,
        request=MemberRoleInputSerializer,
        responses={200: MemberDetailSerializer, 403: TRANSITION_RESPONSES[403]},
        description="Change the member's role (managers; only makerspace admins grant or remove `admin`).",
    )
    def patch(self, request, pk: int):
        member = self.get_object()
        serializer = MemberRoleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member_services.member_role_change(member=member, actor=request.user, **serializer.validated_data)
        return Response(MemberDetailSerializer(self.get_queryset().get(pk=member.pk)).data)


class _MemberTransitionApi(MemberScopedApi):
    """POST with an optional reason; subclasses name the service (which decides who may call it)."""

    service = None
    input_serializer = ReasonInputSerializer

    def post(self, request, pk: int):
        member = self.get_object()
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = self.service(member=member, actor=request.user, reason=serializer.validated_data["reason"])
        return Response(MemberOutputSerializer(member).data)


@extend_schema(tags=TAGS, request=ReasonInputSerializer, responses=TRANSITION_RESPONSES)
class MemberApproveApi(_MemberTransitionApi):
    """pending → active (staff of the makerspace)."""

    service = staticmethod(member_services.member_approve)


@extend_schema(tags=TAGS, request=ReasonInputSerializer, responses=TRANSITION_RESPONSES)
class MemberRejectApi(_MemberTransitionApi):
    """pending → rejected (staff of the makerspace)."""

    service = staticmethod(member_services.member_reject)


@extend_schema(tags=TAGS, request=RequiredReasonInputSerializer, responses=TRANSITION_RESPONSES)
class MemberSuspendApi(_MemberTransitionApi):
    """active → suspended, with a reason (managers)."""

    service = staticmethod(member_services.member_suspend)
    input_serializer = RequiredReasonInputSerializer


@extend_schema(tags=TAGS, request=ReasonInputSerializer, responses=TRANSITION_RESPONSES)
class MemberReactivateApi(_MemberTransitionApi):
    """suspended/expired → active (managers)."""

    service = staticmethod(member_services.member_reactivate)


class MemberSkillListGrantApi(MemberScopedApi):
    serializer_class = MemberSkillOutputSerializer

    @extend_schema(tags=TAGS, responses=MemberSkillOutputSerializer(many=True))
    def get(self, request, pk: int):
        return self.paginated(skill_selectors.member_skill_list(member=self.get_object()), MemberSkillOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=MemberSkillGrantInputSerializer,
        responses={
            201: MemberSkillOutputSerializer,
            200: OpenApiResponse(MemberSkillOutputSerializer, description="An existing grant was renewed."),
            403: TRANSITION_RESPONSES[403],
        },
    )
    def post(self, request, pk: int):
        member = self.get_object()
        serializer = MemberSkillGrantInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        skill = Skill.objects.filter(pk=serializer.validated_data["skill"]).first()
        if skill is None:
            raise ValidationError("Unknown skill.", errors={"skill": ["Unknown skill."]})
        grant, created = skill_services.member_skill_grant(
            member=member, skill=skill, actor=request.user, expires_at=serializer.validated_data["expires_at"]
        )
        grant = skill_selectors.member_skill_list(member=member).get(pk=grant.pk)
        return Response(
            MemberSkillOutputSerializer(grant).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class MemberSkillRevokeApi(MemberScopedApi):
    serializer_class = MemberSkillOutputSerializer

    @extend_schema(tags=TAGS, responses={204: None, 403: TRANSITION_RESPONSES[403]})
    def delete(self, request, pk: int, skill_id: int):
        member: Member = self.get_object()
        if skill_id > MAX_ID:
            raise NotFound("This member does not hold that skill.")
        skill_services.member_skill_revoke(member=member, skill_id=skill_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberBulkApi(MakerspaceApi):
    serializer_class = MemberBulkOutputSerializer

    @extend_schema(
        tags=TAGS,
        request=MemberBulkInputSerializer,
        responses={200: MemberBulkOutputSerializer},
        description=(
            "Apply approve, reject, suspend, reactivate or assign_plan to up to 500 members through the single-action "
            "rules; each member on its own (one refusal never undoes the rest). Ids outside your makerspaces fail "
            "as `not_found`."
        ),
    )
    def post(self, request):
        serializer = MemberBulkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = None
        if data["plan"] is not None:
            plan = MembershipPlan.objects.filter(pk=data["plan"]).first()
            if plan is None:
                raise ValidationError("Unknown plan.", errors={"plan": ["Unknown plan."]})
        result = member_services.members_bulk_apply(
            actor=request.user, action=data["action"], ids=data["ids"], reason=data["reason"], plan=plan
        )
        return Response(MemberBulkOutputSerializer(result).data)


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)  # only errors are rendered; the CSV itself streams


class _Echo:
    """A file-like object whose write returns the line (csv.writer into a streaming response)."""

    def write(self, value: str) -> str:
        return value


class MemberExportApi(MakerspaceApi):
    serializer_class = MemberExportQuerySerializer
    pagination_class = None
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        tags=TAGS,
        parameters=[MemberExportQuerySerializer],
        responses={(200, "text/csv"): OpenApiTypes.STR, 403: TRANSITION_RESPONSES[403]},
        description="The makerspace's members as CSV (staff of that makerspace), streamed.",
    )
    def get(self, request):
        makerspace_id = query_params(MemberExportQuerySerializer, request)["makerspace"]
        rows = member_selectors.member_export_rows(user=request.user, makerspace_id=makerspace_id)
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="members-{makerspace_id}.csv"'
        return response
