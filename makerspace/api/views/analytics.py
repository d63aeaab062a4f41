"""GET /api/v1/makerspace/analytics/{report}/: a makerspace's reports for its staff, as JSON or CSV."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from makerspace.api.serializers import analytics as s
from makerspace.api.views.base import MakerspaceApi, conflict_response, query_params
from makerspace.selectors.analytics import REPORTS
from makerspace.services.analytics import analytics_csv, analytics_report_run


class CSVRenderer(BaseRenderer):
    """Lets ``?format=csv`` through content negotiation; the view builds the CSV body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


class AnalyticsReportApi(MakerspaceApi):
    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = None
    http_method_names = ["get", "options"]

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors stay in the JSON error format even when CSV was asked for.
        if response.status_code >= 400 and isinstance(getattr(request, "accepted_renderer", None), CSVRenderer):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        operation_id="makerspace_analytics_report",
        parameters=[
            OpenApiParameter("report", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(REPORTS)),
            s.AnalyticsQuerySerializer,
        ],
        responses={
            (200, "application/json"): s.AnalyticsReportSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The series, one row per bucket."),
            400: conflict_response("invalid, too_many_buckets"),
            503: conflict_response("analytics_unavailable (SQLite)"),
        },
        tags=["analytics"],
    )
    def get(self, request, report: str):
        query = query_params(s.AnalyticsQuerySerializer, request)
        result = analytics_report_run(
            actor=request.user,
            report=report,
            makerspace_id=query["makerspace"],
            date_from=query.get("from"),
            date_to=query.get("to"),
            bucket=query["bucket"],
        )
        if request.accepted_renderer.format == "csv":
            response = HttpResponse(analytics_csv(result), content_type="text/csv; charset=utf-8")
            filename = f"{report}-{result['from']}-{result['to']}-{result['bucket']}.csv"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        return Response(result)
