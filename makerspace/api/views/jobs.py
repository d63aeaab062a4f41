"""/jobs/: store service jobs of the caller's makerspaces (staff) or assigned to them (providers), and the actions
that move them: accept, start, complete, ship, reject, cancel (POST only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from makerspace.api.filters import IdFilter, MakerspaceFilterSet
from makerspace.api.serializers import jobs as s
from makerspace.api.serializers.common import RequiredReasonInputSerializer
from makerspace.api.views.base import MakerspaceApi, PostOnlyAction, conflict_response
from makerspace.models import Equipment, ServiceJob, ServiceProvider
from makerspace.selectors import jobs as job_selectors
from makerspace.services import jobs as job_services
from makrx.errors import NotFound, ValidationError

TAGS = ["makerspace: jobs"]
TRANSITION = conflict_response("invalid_transition")


class JobFilter(MakerspaceFilterSet):
    provider = IdFilter(field_name="provider_id", help_text="Only jobs assigned to this provider.")

    class Meta:
        model = ServiceJob
        fields = ["makerspace", "status", "priority", "provider"]


def _provider_from_input(pk: int | None) -> ServiceProvider | None:
    if pk is None:
        return None
    provider = ServiceProvider.objects.filter(pk=pk).first()
    if provider is None:
        raise ValidationError("Unknown provider.", errors={"provider": ["Unknown provider."]})
    return provider


def _machine_from_input(pk: int | None) -> Equipment | None:
    if pk is None:
        return None
    machine = Equipment.objects.filter(pk=pk).first()
    if machine is None:
        raise ValidationError("Unknown machine.", errors={"machine": ["Unknown machine."]})
    return machine


class JobListApi(MakerspaceApi):
    serializer_class = s.JobOutputSerializer
    filterset_class = JobFilter
    search_fields = ["title", "external_order_id", "material", "customer_name", "customer_email"]
    ordering_fields = ["received_at", "priority", "status", "updated_at"]

    def get_queryset(self):
        return job_selectors.job_list(user=self.request.user)

    @extend_schema(tags=TAGS, responses=s.JobOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(self.get_queryset(), s.JobOutputSerializer)


class JobDetailApi(MakerspaceApi):
    serializer_class = s.JobDetailSerializer
    queryset = ServiceJob.objects.none()

    def job(self, pk: int) -> ServiceJob:
        job = job_selectors.job_get(user=self.request.user, pk=pk)
        if job is None:
            raise NotFound("No such job.")
        return job

    def answer(self, job: ServiceJob) -> Response:
        # After an action the caller may no longer see the job (a provider's job once assigned elsewhere): the
        # service's result is still theirs to read.
        found = job_selectors.job_get(user=self.request.user, pk=job.pk)
        return Response(s.JobDetailSerializer(found or job).data)

    @extend_schema(tags=TAGS, responses=s.JobDetailSerializer)
    def get(self, request, pk: int):
        return Response(s.JobDetailSerializer(self.job(pk)).data)


class JobAcceptApi(PostOnlyAction, JobDetailApi):
    @extend_schema(
        tags=TAGS, request=s.JobAcceptInputSerializer, responses={200: s.JobDetailSerializer, 409: TRANSITION}
    )
    def post(self, request, pk: int):
        serializer = s.JobAcceptInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = job_services.job_accept(
            job=self.job(pk),
            actor=request.user,
            provider=_provider_from_input(data.get("provider")),
            machine=_machine_from_input(data.get("machine")),
        )
        return self.answer(job)


class JobStartApi(PostOnlyAction, JobDetailApi):
    @extend_schema(
        tags=TAGS, request=s.JobStartInputSerializer, responses={200: s.JobDetailSerializer, 409: TRANSITION}
    )
    def post(self, request, pk: int):
        serializer = s.JobStartInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        machine = _machine_from_input(serializer.validated_data.get("machine"))
        return self.answer(job_services.job_start(job=self.job(pk), actor=request.user, machine=machine))


class JobCompleteApi(PostOnlyAction, JobDetailApi):
    @extend_schema(
        tags=TAGS,
        request=s.JobCompleteInputSerializer,
        responses={200: s.JobDetailSerializer, 409: conflict_response("invalid_transition, insufficient_stock")},
    )
    def post(self, request, pk: int):
        serializer = s.JobCompleteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        materials = serializer.validated_data.get("materials")
        if materials is not None:
            materials = [{"item": line["item"], "quantity": line["quantity"]} for line in materials]
        return self.answer(job_services.job_complete(job=self.job(pk), actor=request.user, materials=materials))


class JobShipApi(PostOnlyAction, JobDetailApi):
    @extend_schema(tags=TAGS, request=s.JobShipInputSerializer, responses={200: s.JobDetailSerializer, 409: TRANSITION})
    def post(self, request, pk: int):
        serializer = s.JobShipInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tracking = serializer.validated_data["tracking"]
        return self.answer(job_services.job_ship(job=self.job(pk), actor=request.user, tracking=tracking))


class _JobReasonActionApi(PostOnlyAction, JobDetailApi):
    """reject and cancel: the same required reason, a different service."""

    service = None

    @extend_schema(
        tags=TAGS, request=RequiredReasonInputSerializer, responses={200: s.JobDetailSerializer, 409: TRANSITION}
    )
    def post(self, request, pk: int):
        serializer = RequiredReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"]
        return self.answer(type(self).service(job=self.job(pk), actor=request.user, reason=reason))


class JobRejectApi(_JobReasonActionApi):
    """Reject a received job, with the reason the store and its customer are told."""

    service = staticmethod(job_services.job_reject)


class JobCancelApi(_JobReasonActionApi):
    """Cancel a job that is not made yet (received, accepted or in progress), with its reason."""

    service = staticmethod(job_services.job_cancel)
