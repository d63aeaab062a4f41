"""Project files and the cover image: multipart input, file rows out."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import UserSummarySerializer
from makerspace.models import ProjectFile


class ProjectFileInputSerializer(serializers.Serializer):
    # Only the part's presence is checked here; its name, size and content are the service's to judge.
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class ProjectCoverInputSerializer(serializers.Serializer):
    image = serializers.FileField(allow_empty_file=True, use_url=False)


class ProjectFileOutputSerializer(serializers.ModelSerializer):
    url = serializers.FileField(source="file", read_only=True, use_url=True)
    uploaded_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = ProjectFile
        fields = ["id", "project", "name", "size", "url", "uploaded_by", "created_at"]
        read_only_fields = fields
