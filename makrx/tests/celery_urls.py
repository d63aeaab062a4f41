"""Test-only URL: a view that enqueues a task (eager in tests) and reports its request id."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.logging import current_request_id
from makrx.tests.test_celery import record_request_id


class EnqueueApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request):
        record_request_id.delay()
        return Response({"request_id": current_request_id()})


urlpatterns = [path("api/test/enqueue", EnqueueApi.as_view())]
