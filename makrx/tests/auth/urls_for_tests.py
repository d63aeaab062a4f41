"""A makerspace-scoped endpoint, to show the one-line scoping permission at work."""

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.auth.scoping import IsMakerspaceManager, IsMakerspaceStaff


class ScopedStaffApi(APIView):
    permission_classes = [IsMakerspaceStaff]

    def post(self, request, makerspace_id):
        return Response({"ok": makerspace_id})


class ScopedManagerApi(APIView):
    permission_classes = [IsMakerspaceManager]

    def post(self, request, makerspace_id):
        return Response({"ok": makerspace_id})


urlpatterns = [
    path("api/v1/test/makerspaces/<int:makerspace_id>/staff-action", ScopedStaffApi.as_view()),
    path("api/v1/test/makerspaces/<int:makerspace_id>/manager-action", ScopedManagerApi.as_view()),
    path("", include("makrx.urls")),
]
