"""Project files and cover images: checked by content, stored through Django's default storage under a generated
name (never the client's path; the original name is kept as data), removed from storage after commit.

Who: the project's owner, its editors and staff of its makerspace upload and delete (``project_edit_require``);
whoever sees the project lists its files. Limits: ``UPLOAD_MAX_MB`` per file (413 ``too_large``),
``MAX_FILES_PER_PROJECT`` files (409 ``too_many_files``), covers at most ``COVER_MAX_PIXELS`` pixels (413
``too_many_pixels``, checked from the header before any pixel is decoded).
"""

from __future__ import annotations

import logging
import re
import unicodedata
import uuid
import warnings

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from makerspace.models import Project, ProjectFile
from makerspace.services.projects import project_edit_require
from makrx.errors import ConflictError, PayloadTooLarge, UnsupportedMediaType, ValidationError

logger = logging.getLogger(__name__)

MAX_FILES_PER_PROJECT = 100
MAX_NAME = 200
COVER_MAX_PIXELS = 40_000_000  # 8000 x 5000: any real photo; a decompression bomb is far above
COVER_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
IMAGE_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff"}
# Content a browser or an operating system would run: refused whatever the file is called.
EXECUTABLE_SIGNATURES = (
    b"MZ",  # Windows PE
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # scripts
)
# Names that run when opened, or render as a page from the media domain.
REFUSED_EXTENSIONS = {
    "exe", "dll", "com", "bat", "cmd", "scr", "msi", "ps1", "sh", "js", "mjs", "vbs", "jar", "apk", "app",
    "html", "htm", "xhtml", "shtml", "php", "phtml", "asp", "aspx", "jsp", "cgi",
}  # fmt: skip
EXTENSION = re.compile(r"^[a-z0-9]{1,10}$")


def _max_bytes() -> int:
    return settings.UPLOAD_MAX_MB * 1024 * 1024


def clean_name(raw: str) -> str:
    """The display name: the last path component of what the client sent, without control characters.

    ``../../etc/passwd`` becomes ``passwd``, ``C:\\x\\evil.txt`` becomes ``evil.txt``; an empty result is refused.
    """
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".").strip()
    if not name:
        raise ValidationError("The file needs a name.", errors={"file": ["The file name is empty or invalid."]})
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:MAX_NAME]
    return name


def _extension(name: str) -> str:
    _, dot, ext = name.rpartition(".")
    ext = ext.lower() if dot else ""
    return ext if EXTENSION.match(ext) else ""


def _size_check(uploaded) -> None:
    if uploaded is None:
        raise ValidationError("Send the file as multipart field 'file'.", errors={"file": ["No file was submitted."]})
    size = uploaded.size or 0
    if size > _max_bytes():
        raise PayloadTooLarge(f"The file is larger than {settings.UPLOAD_MAX_MB} MB.", code="too_large")
    if size == 0:
        raise ValidationError("The file is empty.", errors={"file": ["The submitted file is empty."]})


def _open_image(uploaded) -> Image.Image:
    """Open an image by its content and bound its pixels before decoding (415 when it is no image)."""
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(uploaded)
            width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PayloadTooLarge("The image has too many pixels.", code="too_many_pixels") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise UnsupportedMediaType("The file is not an image.", code="unsupported_file") from None
    if width * height > COVER_MAX_PIXELS:
        raise PayloadTooLarge(
            f"The image has {width}x{height} pixels; at most {COVER_MAX_PIXELS} are accepted.", code="too_many_pixels"
        )
    return image


def _verified_image_format(uploaded) -> str:
    """The Pillow format of a real image (its structure verified), else 415 ``unsupported_file``."""
    image = _open_image(uploaded)
    image_format = image.format
    try:
        image.verify()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a corrupt file; all mean "not an image"
        raise UnsupportedMediaType("The image is corrupt.", code="unsupported_file") from None
    finally:
        uploaded.seek(0)
    return image_format or ""


def _content_check(uploaded, extension: str) -> None:
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if extension in REFUSED_EXTENSIONS or any(head.startswith(sig) for sig in EXECUTABLE_SIGNATURES):
        raise UnsupportedMediaType("Programs and web pages are not accepted as project files.", code="unsupported_file")
    if extension in IMAGE_EXTENSIONS:
        _verified_image_format(uploaded)  # a file called .png must be an image
    elif extension == "pdf" and not head.startswith(b"%PDF-"):
        raise UnsupportedMediaType("The file is called .pdf but is not a PDF.", code="unsupported_file")


def _generated_name(extension: str) -> str:
    return f"{uuid.uuid4().hex}.{extension}" if extension else uuid.uuid4().hex


def _delete_stored_after_commit(name: str) -> None:
    def delete():
        try:
            default_storage.delete(name)
        except Exception:  # noqa: BLE001 - a leftover object is harmless; the row is gone
            logger.warning("could not delete stored file %s", name, exc_info=True)

    if name:
        transaction.on_commit(delete)


@transaction.atomic
def project_file_add(*, actor, project: Project, uploaded) -> ProjectFile:
    """Attach a file to a project (owner, editors, staff). The actor is checked before the file is read."""
    locked = Project.objects.select_for_update().select_related("makerspace").get(pk=project.pk)
    project_edit_require(actor, locked)
    _size_check(uploaded)
    name = clean_name(getattr(uploaded, "name", ""))
    extension = _extension(name)
    _content_check(uploaded, extension)
    if ProjectFile.objects.filter(project=locked).count() >= MAX_FILES_PER_PROJECT:
        raise ConflictError(f"A project holds at most {MAX_FILES_PER_PROJECT} files.", code="too_many_files")
    row = ProjectFile(project=locked, name=name, uploaded_by=actor, size=uploaded.size)
    uploaded.seek(0)
    row.file.save(_generated_name(extension), uploaded, save=False)
    try:
        row.save()
    except Exception:
        default_storage.delete(row.file.name)
        raise
    return row


@transaction.atomic
def project_file_delete(*, actor, project_file: ProjectFile) -> None:
    """Remove a file (owner, editors, staff); its stored object is deleted once the removal is committed."""
    locked = Project.objects.select_for_update().select_related("makerspace").get(pk=project_file.project_id)
    project_edit_require(actor, locked)
    stored = project_file.file.name
    ProjectFile.objects.filter(pk=project_file.pk).delete()
    _delete_stored_after_commit(stored)


@transaction.atomic
def project_cover_set(*, actor, project: Project, uploaded) -> Project:
    """Set the project's cover: a PNG, JPEG, GIF or WebP verified by Pillow, bounded in pixels and bytes.

    The previous cover is removed from storage after commit.
    """
    locked = Project.objects.select_for_update().select_related("makerspace").get(pk=project.pk)
    project_edit_require(actor, locked)
    _size_check(uploaded)
    image_format = _verified_image_format(uploaded)
    if image_format not in COVER_FORMATS:
        raise UnsupportedMediaType("A cover is a PNG, JPEG, GIF or WebP image.", code="unsupported_file")
    previous = locked.cover_image.name
    uploaded.seek(0)
    locked.cover_image.save(_generated_name(COVER_FORMATS[image_format]), uploaded, save=False)
    try:
        locked.save(update_fields=["cover_image", "updated_at"])
    except Exception:
        default_storage.delete(locked.cover_image.name)
        raise
    if previous and previous != locked.cover_image.name:
        _delete_stored_after_commit(previous)
    return locked
