"""Operations endpoints (DESIGN.md §6): liveness, readiness, metrics, diagnostics, utils."""

from __future__ import annotations

import os
import platform
import sys

import django
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx import errors
from makrx.api.permissions import IsDjangoStaff
from makrx.health import readiness_checks, run_checks


class CheckResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    latency_ms = serializers.FloatField()
    error = serializers.CharField(required=False)


class ReadinessSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ready", "not_ready"])
    checks = serializers.DictField(child=CheckResultSerializer())


class DiagnosticsServerSerializer(serializers.Serializer):
    environment = serializers.CharField()
    debug = serializers.BooleanField()
    python = serializers.CharField()
    django = serializers.CharField()
    platform = serializers.CharField()
    celery_eager = serializers.BooleanField()
    keycloak_configured = serializers.BooleanField()


class DiagnosticsDatabaseSerializer(serializers.Serializer):
    vendor = serializers.CharField()
    name = serializers.CharField()
    checks = serializers.DictField(child=CheckResultSerializer())
    pending_migrations = serializers.ListField(child=serializers.CharField())


class LivenessApi(APIView):
    """Process is up; checks nothing else."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer("Liveness", {"status": serializers.CharField()}),
        auth=[],
        tags=["health"],
    )
    def get(self, request):
        return Response({"status": "ok"})


class ReadinessApi(APIView):
    """Ready to serve: every configured dependency answered within the timeout."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: ReadinessSerializer, 503: ReadinessSerializer},
        auth=[],
        tags=["health"],
    )
    def get(self, request):
        results = run_checks(readiness_checks())
        ready = all(r["ok"] for r in results.values())
        return Response({"status": "ready" if ready else "not_ready", "checks": results}, status=200 if ready else 503)


class UtilsHealthCheckApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="utils_health_check",
        responses=inline_serializer("UtilsHealth", {"status": serializers.BooleanField()}),
        auth=[],
        tags=["health"],
    )
    def get(self, request):
        return Response({"status": True})


class _DiagnosticsBase(APIView):
    """Development-only and staff-only; 404 in every other environment."""

    permission_classes = [IsDjangoStaff]

    def initial(self, request, *args, **kwargs):
        if not settings.IS_DEVELOPMENT:
            raise errors.NotFound()
        super().initial(request, *args, **kwargs)


class DiagnosticsServerApi(_DiagnosticsBase):
    @extend_schema(operation_id="diagnostics_server", responses=DiagnosticsServerSerializer, tags=["diagnostics"])
    def get(self, request):
        return Response(
            {
                "environment": settings.ENVIRONMENT,
                "debug": settings.DEBUG,
                "python": sys.version.split()[0],
                "django": django.get_version(),
                "platform": platform.platform(),
                "celery_eager": settings.CELERY_TASK_ALWAYS_EAGER,
                "keycloak_configured": settings.KEYCLOAK_CONFIGURED,
            }
        )


class DiagnosticsDatabaseApi(_DiagnosticsBase):
    @extend_schema(operation_id="diagnostics_database", responses=DiagnosticsDatabaseSerializer, tags=["diagnostics"])
    def get(self, request):
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        return Response(
            {
                "vendor": connection.vendor,
                "name": str(connection.settings_dict.get("NAME")),
                "checks": run_checks({"database": readiness_checks()["database"]}),
                "pending_migrations": [f"{m.app_label}.{m.name}" for m, _ in pending],
            }
        )


def with_operation_id(view_cls: type[APIView], operation_id: str) -> type[APIView]:
    """The same view under another path with its own OpenAPI operation id (health aliases)."""
    subclass = type(f"{view_cls.__name__}_{operation_id}", (view_cls,), {"__doc__": view_cls.__doc__})
    return extend_schema_view(get=extend_schema(operation_id=operation_id))(subclass)


def metrics_view(request):
    """Prometheus exposition when METRICS_ENABLED; 404 otherwise."""
    if not settings.METRICS_ENABLED:
        return JsonResponse(
            {"detail": "Not found.", "code": "not_found", "request_id": getattr(request, "request_id", None)},
            status=404,
        )
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess

    from makrx import metrics

    metrics.collect_gauges()
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Several gunicorn workers: add up what every process wrote to the shared directory.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
