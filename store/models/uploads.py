"""Design files customers upload for maker services, with the geometry measured from them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from makrx.models import TimeStampedModel


def upload_path(instance: Upload, filename: str) -> str:
    """A generated storage name: never the client's path (the original name is kept in ``original_name``)."""
    return f"store/uploads/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}.{instance.kind}"


class Upload(TimeStampedModel):
    """One uploaded design file. ``awaiting_file`` while a presigned (direct-to-S3) upload is pending;
    ``processing`` until measured, then ``ready`` (with ``geometry``) or
    ``failed`` (with ``failure_reason``). Signed-in uploads belong to ``user``; anonymous ones to ``cart``
    (the ``X-Cart-Token``)."""

    class Kind(models.TextChoices):
        STL = "stl", "STL"
        THREE_MF = "3mf", "3MF"
        OBJ = "obj", "OBJ"
        DXF = "dxf", "DXF"
        SVG = "svg", "SVG"

    class Status(models.TextChoices):
        AWAITING_FILE = "awaiting_file", "Awaiting the file (presigned upload)"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="store_uploads"
    )
    cart = models.ForeignKey("store.Cart", on_delete=models.SET_NULL, null=True, blank=True, related_name="uploads")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROCESSING, db_index=True)
    file = models.FileField(upload_to=upload_path, max_length=255)
    original_name = models.CharField(max_length=255)
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, blank=True)
    geometry = models.JSONField(default=dict, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    measured_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="store_upload_user_idx")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.kind}, {self.status})"

    @property
    def is_mesh(self) -> bool:
        return self.kind in (self.Kind.STL, self.Kind.THREE_MF, self.Kind.OBJ)
