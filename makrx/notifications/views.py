"""/api/v1/notifications/: a user's own in-app notifications (unread count included) and their preferences."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from makrx.api.pagination import StandardPagination
from makrx.notifications import selectors, services
from makrx.notifications.registry import kind_list
from makrx.notifications.serializers import (
    NotificationListQuerySerializer,
    NotificationReadAllSerializer,
    NotificationSerializer,
    PreferencesSerializer,
    PreferencesUpdateSerializer,
)

TAGS = ["notifications"]


class NotificationPagination(StandardPagination):
    """The standard page plus ``unread_count`` (all of the user's unread, not only this page's)."""

    def paginate_queryset(self, queryset, request, view=None):
        self.unread_count = selectors.notification_unread_count(user=request.user)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["unread_count"] = self.unread_count
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["unread_count"] = {"type": "integer", "example": 3}
        schema["required"] = [*schema.get("required", []), "unread_count"]
        return schema


class NotificationListApi(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination
    filter_backends: list = []

    def get_queryset(self):
        query = NotificationListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.notification_list(user=self.request.user, unread=query.validated_data.get("unread"))

    @extend_schema(operation_id="notifications_list", parameters=[NotificationListQuerySerializer], tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationReadApi(APIView):
    permission_classes = [IsAuthenticated]
    http_method_names = ["post", "options"]

    @extend_schema(operation_id="notifications_read", request=None, responses={200: NotificationSerializer}, tags=TAGS)
    def post(self, request, pk: int):
        notification = selectors.notification_get(user=request.user, notification_id=pk)
        notification = services.notification_read(actor=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllApi(APIView):
    permission_classes = [IsAuthenticated]
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="notifications_read_all", request=None, responses={200: NotificationReadAllSerializer}, tags=TAGS
    )
    def post(self, request):
        updated = services.notification_read_all(actor=request.user)
        data = {"updated": updated, "unread_count": selectors.notification_unread_count(user=request.user)}
        return Response(NotificationReadAllSerializer(data).data)


def _preferences_body(user) -> dict:
    kinds = kind_list()
    chosen = services.preferences_get(user_id=user.pk, kinds=kinds)
    rows = [
        {"kind": kind.key, "description": kind.description, "priority": kind.priority, **chosen[kind.key]}
        for kind in kinds
    ]
    return PreferencesSerializer({"preferences": rows}).data


class NotificationPreferencesApi(APIView):
    """Every registered kind with the user's channels; PUT changes the kinds and channels it names."""

    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "put", "options"]

    @extend_schema(operation_id="notifications_preferences_get", responses={200: PreferencesSerializer}, tags=TAGS)
    def get(self, request):
        return Response(_preferences_body(request.user))

    @extend_schema(
        operation_id="notifications_preferences_update",
        request=PreferencesUpdateSerializer,
        responses={200: PreferencesSerializer},
        tags=TAGS,
    )
    def put(self, request):
        serializer = PreferencesUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.preferences_update(
            actor=request.user, user=request.user, changes=serializer.validated_data["preferences"]
        )
        return Response(_preferences_body(request.user))
