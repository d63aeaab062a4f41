"""Design uploads: check the file by content, store it under a generated name, measure its geometry (inline when
small, else in a task), and delete uploads nobody quoted after the retention period."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from makrx.errors import PayloadTooLarge, PermissionDenied, UnsupportedMediaType
from store.geometry import GeometryError, Limits, measure
from store.geometry.detect import UnsupportedFile, detect_kind
from store.geometry.isolated import measure_isolated
from store.models import Cart, Upload
from store.services import require_store_staff

logger = logging.getLogger(__name__)
MAX_NAME = 255


def upload_max_bytes() -> int:
    return settings.UPLOAD_MAX_MB * 1024 * 1024


@contextmanager
def _local_copy(uploaded):
    """A filesystem path for an uploaded file (Django keeps large ones on disk already)."""
    if hasattr(uploaded, "temporary_file_path"):
        yield uploaded.temporary_file_path()
        return
    handle = tempfile.NamedTemporaryFile(prefix="makrx-upload-", delete=False)  # noqa: SIM115 - closed below
    try:
        with handle:
            uploaded.seek(0)
            shutil.copyfileobj(uploaded, handle, 1024 * 1024)
        yield handle.name
    finally:
        os.unlink(handle.name)


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def upload_create(*, actor, cart: Cart | None, uploaded, name: str | None = None) -> Upload:
    """Store one design file for a signed-in ``actor`` or an anonymous ``cart``.

    413 ``too_large`` above ``UPLOAD_MAX_MB``; 415 ``unsupported_file`` when the content is not STL, 3MF, OBJ,
    DXF or SVG or does not match the name's extension. Files up to ``UPLOAD_INLINE_MAX_KB`` are measured now
    (``ready``/``failed``); larger ones stay ``processing`` and a task measures them after commit.
    """
    signed_in = getattr(actor, "is_authenticated", False)
    if not signed_in and cart is None:
        raise PermissionDenied("Anonymous uploads need a cart (X-Cart-Token).", code="cart_required")
    size = uploaded.size or 0
    if size > upload_max_bytes():
        raise PayloadTooLarge(f"The file is larger than {settings.UPLOAD_MAX_MB} MB.", code="too_large")
    if size == 0:
        raise UnsupportedMediaType("The file is empty.", code="unsupported_file")
    original_name = os.path.basename((name or uploaded.name or "").replace("\\", "/"))[:MAX_NAME]
    with _local_copy(uploaded) as path:
        try:
            kind = detect_kind(path, name=original_name)
        except UnsupportedFile as exc:
            raise UnsupportedMediaType(str(exc), code="unsupported_file") from exc
        sha256 = _sha256(path)
        inline = size <= settings.UPLOAD_INLINE_MAX_KB * 1024
        geometry, reason = {}, ""
        if inline:
            try:
                geometry = measure(path, kind=kind, limits=Limits.from_settings())
            except GeometryError as exc:
                reason = str(exc)[:500]
        with transaction.atomic():
            upload = Upload(
                user=actor if signed_in else None,
                cart=None if signed_in else cart,
                kind=kind,
                original_name=original_name or f"upload.{kind}",
                size_bytes=size,
                sha256=sha256,
                status=Upload.Status.PROCESSING,
            )
            if inline:
                upload.status = Upload.Status.FAILED if reason else Upload.Status.READY
                upload.geometry, upload.failure_reason, upload.measured_at = geometry, reason, timezone.now()
            with open(path, "rb") as handle:
                upload.file.save(f"upload.{kind}", File(handle), save=False)
            stored_name = upload.file.name
            try:
                upload.save()
            except Exception:
                default_storage.delete(stored_name)  # no orphan file for a row that was never written
                raise
            if not inline:
                from store.tasks import measure_upload_task

                transaction.on_commit(lambda: measure_upload_task.delay(upload.pk))
    return upload


@contextmanager
def _stored_path(upload: Upload):
    """A local path of the stored file (the storage's own path, or a temporary download from S3)."""
    try:
        yield default_storage.path(upload.file.name)
        return
    except NotImplementedError:
        pass
    handle = tempfile.NamedTemporaryFile(prefix="makrx-measure-", delete=False)  # noqa: SIM115 - closed below
    try:
        with handle, default_storage.open(upload.file.name, "rb") as source:
            shutil.copyfileobj(source, handle, 1024 * 1024)
        yield handle.name
    finally:
        os.unlink(handle.name)


def upload_measure(*, upload_id: int) -> Upload | None:
    """Measure a ``processing`` upload in an isolated child process (memory and time capped); idempotent: an
    upload already measured, or gone, is left alone."""
    upload = Upload.objects.filter(pk=upload_id).first()
    if upload is None or upload.status != Upload.Status.PROCESSING:
        return upload
    geometry, reason = {}, ""
    try:
        with _stored_path(upload) as path:
            geometry = measure_isolated(
                path,
                kind=upload.kind,
                limits=Limits.from_settings(),
                memory_mb=settings.GEOMETRY_MEMORY_LIMIT_MB,
                timeout_seconds=settings.GEOMETRY_TIME_LIMIT_SECONDS,
            )
    except GeometryError as exc:
        reason = str(exc)[:500]
    except FileNotFoundError:
        reason = "The stored file is missing."
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload_id)
        if upload.status != Upload.Status.PROCESSING:
            return upload
        upload.status = Upload.Status.FAILED if reason else Upload.Status.READY
        upload.geometry, upload.failure_reason, upload.measured_at = geometry, reason, timezone.now()
        upload.save(update_fields=["status", "geometry", "failure_reason", "measured_at", "updated_at"])
    return upload


def uploads_expire(*, now=None, limit: int = 1000) -> int:
    """Delete uploads older than ``UPLOAD_RETENTION_DAYS`` that no quote refers to: the file, then the row.
    Returns how many went; safe to run twice."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.UPLOAD_RETENTION_DAYS)
    expired = list(Upload.objects.filter(created_at__lt=cutoff, quotes__isnull=True).order_by("pk")[:limit])
    deleted = 0
    for upload in expired:
        with transaction.atomic():
            locked = Upload.objects.select_for_update(of=("self",)).filter(pk=upload.pk, quotes__isnull=True).first()
            if locked is None:
                continue  # quoted meanwhile
            name = locked.file.name
            locked.delete()
            transaction.on_commit(lambda name=name: default_storage.delete(name))
            deleted += 1
    return deleted


@transaction.atomic
def upload_remeasure(*, actor, upload: Upload) -> Upload:
    """Store staff: measure an upload again (after a limit was raised, say); queued after commit."""
    require_store_staff(actor, action="measure uploads again")
    upload = Upload.objects.select_for_update().get(pk=upload.pk)
    upload.status, upload.geometry, upload.failure_reason, upload.measured_at = Upload.Status.PROCESSING, {}, "", None
    upload.save(update_fields=["status", "geometry", "failure_reason", "measured_at", "updated_at"])
    from store.tasks import measure_upload_task

    transaction.on_commit(lambda: measure_upload_task.delay(upload.pk))
    return upload


def upload_thumbnail(*, upload: Upload, size: int = 256) -> bytes:
    """A PNG preview of the stored file (``GeometryError`` when it cannot be drawn)."""
    from store.geometry.thumbnail import render_thumbnail

    with _stored_path(upload) as path:
        return render_thumbnail(path, kind=upload.kind, limits=Limits.from_settings(), size=size)
