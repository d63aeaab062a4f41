"""Bridge receivers over HTTP: the raw body goes to ``inbound_receive`` (verification before anything else)."""

from __future__ import annotations

from django.http.request import HttpHeaders
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from bridge.api.serializers import receivers as s
from bridge.services.receivers import CREDENTIAL_HEADERS, KEPT_HEADERS, inbound_receive
from makrx.api.negotiation import JsonOnlyNegotiation
from makrx.logging import current_request_id
from makrx.ratelimit import rate_limit

TAGS = ["bridge"]
ERROR = {"$ref": "#/components/schemas/Error"}  # the platform error component (makrx.api.schema)


def error_doc(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ERROR, description=description)


CREDENTIALS = [
    OpenApiParameter("X-API-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, description="= MAKRCAVE_API_KEY"),
    OpenApiParameter(
        "X-Signature",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="sha256=<hex HMAC-SHA256 of the raw body with CAVE_WEBHOOK_SECRET>",
    ),
]
# The request headers a receiver reads, with their WSGI names: read from META directly rather than building the
# whole ``request.headers`` mapping per delivery.
_META_NAMES = {name: HttpHeaders.to_wsgi_name(name) for name in (*KEPT_HEADERS, *CREDENTIAL_HEADERS)}


def receiver_headers(meta) -> dict[str, str]:
    """The headers a receiver reads (lower-case names), from the WSGI environ."""
    return {name: meta[key] for name, key in _META_NAMES.items() if key in meta}


ERRORS = {
    400: error_doc(
        "parse_error (not JSON), too_deep (nested over 32 levels), invalid, stale_message (sent_at outside ±5 min)."
    ),
    401: error_doc("not_authenticated: no credentials (outside development)."),
    403: error_doc("invalid_api_key or invalid_signature."),
    429: error_doc("rate_limited."),
}


class _ReceiverApi(APIView):
    """No user authentication: the API key or the body's signature is the proof, checked before anything else."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonOnlyNegotiation
    endpoint = ""

    def receive(self, request, **path_params):
        reply = inbound_receive(
            endpoint=self.endpoint,
            body=request.body,
            headers=receiver_headers(request.META),
            path=request.path,
            path_params=path_params,
            client_ip=getattr(request, "client_ip", None),
            request_id=current_request_id() or "",
        )
        body = reply.body
        if reply.status < 300 and body.get("accept_url", "").startswith("/"):
            body = {**body, "accept_url": request.build_absolute_uri(body["accept_url"])}
        return Response(body, status=reply.status)


class BridgeJobCreateApi(_ReceiverApi):
    """store → makerspace: create the job for a store order (idempotent by the order id) → ``{job_id, routing,
    accept_url}``."""

    endpoint = "job.create"

    @extend_schema(
        tags=TAGS,
        auth=[],
        parameters=CREDENTIALS,
        request=s.JobCreateSerializer,
        responses={
            200: s.JobCreatedSerializer,
            409: error_doc("no_capable_makerspace."),
            **ERRORS,
        },
    )
    @rate_limit("webhooks")
    def post(self, request):
        return self.receive(request)


class BridgeJobCancelApi(_ReceiverApi):
    """store → makerspace: the order was cancelled or refunded after it was published: cancel its job
    (idempotent by ``event_id``). 409 ``invalid_transition`` when the job is already completed or shipped."""

    endpoint = "job.cancel"

    @extend_schema(
        tags=TAGS,
        auth=[],
        parameters=CREDENTIALS,
        request=s.JobCancelSerializer,
        responses={
            200: s.JobCancelledSerializer,
            404: error_doc("job_not_found."),
            409: error_doc("invalid_transition: the job is already completed or shipped."),
            **ERRORS,
        },
    )
    @rate_limit("webhooks")
    def post(self, request, external_order_id: str):
        return self.receive(request, external_order_id=external_order_id)


class BridgeJobStatusApi(_ReceiverApi):
    """makerspace → store: a job's status for its service order. Verified and stored, answered 202 ``queued``; the
    store's worker applies it right after (never moving the order backwards). A duplicate is 200."""

    endpoint = "job.status"

    @extend_schema(
        tags=TAGS,
        auth=[],
        parameters=CREDENTIALS,
        request=s.JobStatusSerializer,
        responses={
            202: OpenApiResponse(s.StatusReceivedSerializer, description="Stored (result queued)."),
            200: OpenApiResponse(s.StatusReceivedSerializer, description="A duplicate (result duplicate)."),
            404: error_doc("service_order_not_found."),
            **ERRORS,
        },
    )
    @rate_limit("webhooks")
    def post(self, request, job_id: str):
        return self.receive(request, job_id=job_id)


def job_status_view(operation_id: str):
    """The status receiver under one of its three paths, each with its own operation id."""
    view = type(f"BridgeJobStatusApi_{operation_id}", (BridgeJobStatusApi,), {"__doc__": BridgeJobStatusApi.__doc__})
    return extend_schema_view(post=extend_schema(operation_id=operation_id))(view)


class BridgeReorderListApi(_ReceiverApi):
    """makerspace → store: a quick reorder becomes the account's store reorder list."""

    endpoint = "reorder.list"

    @extend_schema(
        tags=TAGS,
        auth=[],
        parameters=CREDENTIALS,
        request=s.ReorderListSerializer,
        responses={200: s.SupplyReceivedSerializer, 404: error_doc("account_not_found."), **ERRORS},
    )
    @rate_limit("webhooks")
    def post(self, request):
        return self.receive(request)


class BridgeCartApi(_ReceiverApi):
    """makerspace → store: a project BOM's store lines into the account's cart."""

    endpoint = "bom.cart"

    @extend_schema(
        tags=TAGS,
        auth=[],
        parameters=CREDENTIALS,
        request=s.BomCartSerializer,
        responses={200: s.SupplyReceivedSerializer, 404: error_doc("account_not_found."), **ERRORS},
    )
    @rate_limit("webhooks")
    def post(self, request):
        return self.receive(request)
