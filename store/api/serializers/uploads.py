"""Upload request/response shapes."""

from __future__ import annotations

from rest_framework import serializers

from makrx.api import fields


class UploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="STL (ASCII or binary), 3MF, OBJ, DXF or SVG; checked by content.")


class UploadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="stl, 3mf, obj, dxf or svg (from the content).")
    status = serializers.CharField(help_text="processing, ready or failed.")
    original_name = serializers.CharField()
    size_bytes = serializers.IntegerField()
    sha256 = serializers.CharField()
    geometry = serializers.DictField(
        help_text="Meshes: volume_mm3, area_mm2, bbox_mm [x, y, z], triangles, watertight, winding_consistent, "
        "shells, units_guess. 2D: cut_length_mm, engrave_length_mm, area_mm2, bbox_mm [x, y], closed_paths, "
        "open_paths, parts. Empty while processing."
    )
    failure_reason = serializers.CharField()
    created_at = fields.DateTimeField()
    measured_at = fields.DateTimeField(allow_null=True)


class UploadPresignInputSerializer(serializers.Serializer):
    filename = serializers.CharField(max_length=255, help_text="The file's name; its extension names the kind.")
    size = serializers.IntegerField(min_value=1, help_text="Bytes the client will PUT.")


class UploadPresignSerializer(serializers.Serializer):
    upload = UploadSerializer()
    url = serializers.URLField(help_text="PUT the file's bytes here, then POST …/uploads/{id}/complete/.")
    method = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds the URL stays valid.")
