"""Store admin for design uploads: geometry and a server-rendered preview; re-measuring through the service."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from makrx.admin.actions import ServiceActionsMixin
from makrx.admin.display import LocalTimeAdminMixin, StatusBadgeMixin
from makrx.admin.readonly import ReadOnlyAdminMixin
from store.geometry import GeometryError
from store.models import Upload
from store.services import uploads as services


@admin.register(Upload)
class UploadAdmin(LocalTimeAdminMixin, StatusBadgeMixin, ServiceActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "original_name", "kind", "status", "size_bytes", "user", "created_at", "measured_at")
    list_filter = ("kind", "status", "created_at")
    list_select_related = ("user",)
    search_fields = ("original_name", "sha256", "user__username", "user__email", "cart__token")
    date_hierarchy = "created_at"
    actions = ["remeasure"]

    def get_readonly_fields(self, request, obj=None):
        return ["preview", *super().get_readonly_fields(request, obj)]

    def get_urls(self):
        return [
            path(
                "<int:upload_id>/preview.png",
                self.admin_site.admin_view(self.preview_png),
                name="store_upload_preview",
            ),
            *super().get_urls(),
        ]

    def preview_png(self, request, upload_id: int):
        upload = get_object_or_404(Upload, pk=upload_id)
        if not self.has_view_permission(request, upload):
            return HttpResponse(status=403)
        try:
            png = services.upload_thumbnail(upload=upload)
        except (GeometryError, FileNotFoundError):
            return HttpResponse("No preview for this file.", status=404, content_type="text/plain")
        response = HttpResponse(png, content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        return response

    @admin.display(description="Preview")
    def preview(self, upload: Upload):
        if upload.pk is None:
            return "-"
        url = reverse("admin:store_upload_preview", args=[upload.pk])
        return format_html('<img src="{}" width="256" height="256" alt="preview">', url)

    @admin.action(description="Measure the selected uploads again")
    def remeasure(self, request, queryset):
        self.run_service(
            request,
            queryset,
            lambda upload: services.upload_remeasure(actor=request.user, upload=upload),
            "uploads queued for measuring",
        )
