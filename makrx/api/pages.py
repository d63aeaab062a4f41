"""/api/v1/pages/: anyone reads published pages; platform administrators write."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from makrx import selectors, services
from makrx.api.permissions import IsPlatformAdminOrReadOnly
from makrx.models import Page


class PageSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(required=False, max_length=200)

    class Meta:
        model = Page
        fields = ["id", "title", "slug", "body", "published", "published_at", "created_at", "updated_at"]
        read_only_fields = ["id", "published_at", "created_at", "updated_at"]


@extend_schema_view(
    list=extend_schema(tags=["pages"]),
    retrieve=extend_schema(tags=["pages"]),
    create=extend_schema(tags=["pages"]),
    partial_update=extend_schema(tags=["pages"]),
    update=extend_schema(tags=["pages"]),
    destroy=extend_schema(tags=["pages"]),
)
class PageViewSet(viewsets.ModelViewSet):
    serializer_class = PageSerializer
    permission_classes = [IsPlatformAdminOrReadOnly]
    lookup_field = "slug"
    search_fields = ["title", "body"]
    ordering_fields = ["title", "created_at"]
    filterset_fields = ["published"]

    def get_queryset(self):
        return selectors.page_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        page = services.page_save(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(page).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        page = self.get_object()
        serializer = self.get_serializer(page, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        page = services.page_save(actor=request.user, page=page, **serializer.validated_data)
        return Response(self.get_serializer(page).data)

    def perform_destroy(self, instance):
        services.page_delete(actor=self.request.user, page=instance)
