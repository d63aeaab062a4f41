"""Test-only URLs: the real ones plus views that raise, rate-limit and use idempotency keys."""

from __future__ import annotations

import logging
import threading

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.idempotency import idempotent
from makrx.models import Page
from makrx.ratelimit import rate_limit
from makrx.urls import handler400, handler403, handler404, handler500
from makrx.urls import urlpatterns as real_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

# Set by tests that need the idempotent handler to pause (concurrency test).
IDEMPOTENT_GATE: dict[str, threading.Event | None] = {"entered": None, "release": None}


class BoomApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("secret internal detail")


def boom_plain(request):
    raise RuntimeError("secret internal detail")


@require_POST
def post_only_plain(request):
    return JsonResponse({"ok": True})


class EchoInput(serializers.Serializer):
    name = serializers.CharField(max_length=20)
    count = serializers.IntegerField(min_value=0)


class EchoApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request):
        data = EchoInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(data.validated_data)


class ProtectedApi(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"ok": True})


class LimitedApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @rate_limit("test_group")
    def get(self, request):
        return Response({"ok": True})


@rate_limit("test_group")
def limited_plain(request):
    return JsonResponse({"ok": True})


class IdempotentCreateApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request):
        def handler():
            gate_entered, gate_release = IDEMPOTENT_GATE["entered"], IDEMPOTENT_GATE["release"]
            if gate_entered is not None:
                gate_entered.set()
                gate_release.wait(10)
            title = str(request.data.get("title", ""))
            if not title:
                from makrx.errors import ValidationError

                raise ValidationError("title is required", code="invalid")
            page = Page.objects.create(title=title, slug=f"idem-{Page.objects.count() + 1}-{title}"[:200])
            return Response({"id": page.pk, "title": page.title}, status=201)

        return idempotent(request, scope="test.create", owner="anon", handler=handler)


class RawLookupApi(APIView):
    """Passes client text to the database unvalidated (as a careless view might)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request):
        return Response({"exists": Page.objects.filter(title=str(request.data.get("title"))).exists()})


def raw_lookup_plain(request):
    return JsonResponse({"exists": Page.objects.filter(title=request.body.decode()).exists()})


class LoggingApi(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        logging.getLogger("makrx.test").info("inside an authenticated view")
        return Response({"ok": True})


urlpatterns = [
    path("api/test/logs", LoggingApi.as_view()),
    path("api/test/raw-lookup", RawLookupApi.as_view()),
    path("api/test/raw-lookup-plain", raw_lookup_plain),
    path("api/test/boom", BoomApi.as_view()),
    path("api/test/boom-plain", boom_plain),
    path("test/boom-plain", boom_plain),
    path("api/test/post-only", post_only_plain),
    path("api/test/echo", EchoApi.as_view()),
    path("api/test/protected", ProtectedApi.as_view()),
    path("api/test/limited", LimitedApi.as_view()),
    path("api/test/limited-plain", limited_plain),
    path("api/test/idempotent", IdempotentCreateApi.as_view()),
    *real_urlpatterns,
]
