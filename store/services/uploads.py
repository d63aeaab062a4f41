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

from makrx.errors import (
    ConflictError,
    InvalidTransition,
    PayloadTooLarge,
    PermissionDenied,
    ServiceUnavailable,
    UnsupportedMediaType,
)
from store.geometry import GeometryError, Limits, measure
from store.geometry.detect import UnsupportedFile, detect_kind, kind_from_name
from store.geometry.isolated import measure_isolated
from store.models import Cart, Upload
from store.models.uploads import upload_path
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


# --- direct-to-storage (S3 presigned) uploads -------------------------------------------------------------------

PRESIGN_EXPIRES_SECONDS = 900


def require_direct_uploads() -> None:
    if not settings.S3_CONFIGURED:
        raise ServiceUnavailable(
            "Direct uploads need S3 storage, which is not configured; upload through POST /uploads/.",
            code="direct_upload_unavailable",
        )


def upload_presign(*, actor, cart: Cart | None, name: str, size: int) -> tuple[Upload, str]:
    """Reserve an upload and return (upload, a presigned PUT URL for its generated storage name).

    503 ``direct_upload_unavailable`` without S3; 413 above ``UPLOAD_MAX_MB``; 415 for an unsupported extension
    (the content is checked at completion)."""
    require_direct_uploads()
    signed_in = getattr(actor, "is_authenticated", False)
    if not signed_in and cart is None:
        raise PermissionDenied("Anonymous uploads need a cart (X-Cart-Token).", code="cart_required")
    if size > upload_max_bytes():
        raise PayloadTooLarge(f"The file is larger than {settings.UPLOAD_MAX_MB} MB.", code="too_large")
    original_name = os.path.basename((name or "").replace("\\", "/"))[:MAX_NAME]
    kind = kind_from_name(original_name)
    if kind is None:
        raise UnsupportedMediaType("Supported files are .stl, .3mf, .obj, .dxf and .svg.", code="unsupported_file")
    upload = Upload(
        user=actor if signed_in else None,
        cart=None if signed_in else cart,
        kind=kind,
        original_name=original_name,
        size_bytes=size,
        status=Upload.Status.AWAITING_FILE,
    )
    upload.file.name = upload_path(upload, original_name)
    upload.save()
    url = default_storage.url(upload.file.name, expire=PRESIGN_EXPIRES_SECONDS, http_method="PUT")
    return upload, url


def _discard(upload: Upload) -> None:
    name = upload.file.name
    upload.delete()
    transaction.on_commit(lambda: default_storage.delete(name))


def upload_complete(*, upload: Upload) -> Upload:
    """Check the object a presigned upload put in storage (size, content type by content) and measure it like a
    multipart upload. The caller found the upload through the selector (owner or guest token). 409
    ``invalid_transition`` unless it awaits its file; 409 ``file_missing`` if nothing was uploaded yet; 413 and
    415 discard the object and the row."""
    require_direct_uploads()
    upload = Upload.objects.filter(pk=upload.pk).first()
    if upload is None or upload.status != Upload.Status.AWAITING_FILE:
        raise InvalidTransition("This upload is not waiting for its file.")
    try:
        size = default_storage.size(upload.file.name)
    except FileNotFoundError as exc:
        raise ConflictError("The file has not been uploaded yet.", code="file_missing") from exc
    if size > upload_max_bytes():
        with transaction.atomic():
            _discard(upload)
        raise PayloadTooLarge(f"The file is larger than {settings.UPLOAD_MAX_MB} MB.", code="too_large")
    with _stored_path(upload) as path:
        try:
            kind = detect_kind(path, name=upload.original_name)
        except UnsupportedFile as exc:
            with transaction.atomic():
                _discard(upload)
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
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        if upload.status != Upload.Status.AWAITING_FILE:
            raise InvalidTransition("This upload was completed already.")
        upload.kind, upload.size_bytes, upload.sha256 = kind, size, sha256
        if inline:
            upload.status = Upload.Status.FAILED if reason else Upload.Status.READY
            upload.geometry, upload.failure_reason, upload.measured_at = geometry, reason, timezone.now()
        else:
            upload.status = Upload.Status.PROCESSING
            from store.tasks import measure_upload_task

            transaction.on_commit(lambda: measure_upload_task.delay(upload.pk))
        upload.save()
    return upload
