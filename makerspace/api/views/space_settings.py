"""/makerspaces/{id}/settings/: a makerspace's settings for its managers, with JSON export and import."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from makerspace.api.serializers.space_settings import (
    SpaceSettingsDocumentSerializer,
    SpaceSettingsInputSerializer,
    SpaceSettingsOutputSerializer,
)
from makerspace.api.views.base import MakerspaceApi
from makerspace.selectors import spaces as space_selectors
from makerspace.services import space_settings as settings_services

TAGS = ["makerspace: space settings"]


class SpaceSettingsBase(MakerspaceApi):
    """The makerspace must be visible (else 404); its managers only (else 403 ``not_makerspace_manager``)."""

    serializer_class = SpaceSettingsOutputSerializer

    def get_queryset(self):
        return space_selectors.makerspace_list(user=self.request.user)


class SpaceSettingsApi(SpaceSettingsBase):
    @extend_schema(tags=TAGS, responses=SpaceSettingsOutputSerializer)
    def get(self, request, pk: int):
        row = settings_services.space_settings_read(actor=request.user, makerspace=self.get_object())
        return Response(SpaceSettingsOutputSerializer(row).data)

    @extend_schema(tags=TAGS, request=SpaceSettingsInputSerializer, responses=SpaceSettingsOutputSerializer)
    def patch(self, request, pk: int):
        makerspace = self.get_object()
        serializer = SpaceSettingsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = settings_services.space_settings_update(
            actor=request.user, makerspace=makerspace, values=dict(serializer.validated_data)
        )
        return Response(SpaceSettingsOutputSerializer(row).data)


class SpaceSettingsExportApi(SpaceSettingsBase):
    serializer_class = SpaceSettingsDocumentSerializer

    @extend_schema(tags=TAGS, responses=SpaceSettingsDocumentSerializer)
    def get(self, request, pk: int):
        document = settings_services.space_settings_export(actor=request.user, makerspace=self.get_object())
        return Response(document)


class SpaceSettingsImportApi(SpaceSettingsBase):
    http_method_names = ["post", "options"]

    @extend_schema(tags=TAGS, request=SpaceSettingsDocumentSerializer, responses=SpaceSettingsOutputSerializer)
    def post(self, request, pk: int):
        makerspace = self.get_object()
        # The service checks the whole document (format, version, every value) before writing anything.
        row = settings_services.space_settings_import(actor=request.user, makerspace=makerspace, document=request.data)
        return Response(SpaceSettingsOutputSerializer(row).data)
