"""iCalendar feeds addressed by a secret token, and the endpoint that shows or rotates your token."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from makerspace.api.serializers import calendar as s
from makerspace.api.serializers.common import MAX_ID, ErrorSerializer
from makerspace.api.views.base import MakerspaceApi
from makerspace.services import calendar as calendar_services
from makrx.errors import NotFound

TAGS = ["makerspace: calendars"]


class ICalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | str):
            return data
        return JSONRenderer().render(data)


class _CalendarFeedApi(MakerspaceApi):
    """The secret token in the path is the credential: no Authorization header needed (or looked at)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, ICalendarRenderer]

    @staticmethod
    def ics(body: bytes) -> HttpResponse:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "private, max-age=300"
        return response


class CalendarReservationsFeedApi(_CalendarFeedApi):
    @extend_schema(tags=TAGS, auth=[], responses={(200, "text/calendar"): OpenApiTypes.STR, 404: ErrorSerializer})
    def get(self, request, token: str):
        return self.ics(calendar_services.user_reservations_ics(token=token))


class CalendarEquipmentFeedApi(_CalendarFeedApi):
    @extend_schema(tags=TAGS, auth=[], responses={(200, "text/calendar"): OpenApiTypes.STR, 404: ErrorSerializer})
    def get(self, request, token: str, pk: int):
        if pk > MAX_ID:
            raise NotFound("Unknown machine.")
        return self.ics(calendar_services.equipment_reservations_ics(token=token, equipment_id=pk))


class CalendarTokenApi(MakerspaceApi):
    """GET: your feed token (created on first use); POST: rotate it (old feed URLs stop working)."""

    serializer_class = s.CalendarTokenSerializer
    pagination_class = None

    @extend_schema(tags=TAGS, responses=s.CalendarTokenSerializer)
    def get(self, request):
        token = calendar_services.calendar_token_get(actor=request.user)
        return Response(s.CalendarTokenSerializer(token, context={"request": request}).data)

    @extend_schema(tags=TAGS, request=None, responses=s.CalendarTokenSerializer)
    def post(self, request):
        token = calendar_services.calendar_token_rotate(actor=request.user)
        return Response(s.CalendarTokenSerializer(token, context={"request": request}).data)
