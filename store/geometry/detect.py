"""What a design file is, decided by its content (magic bytes and structure), then checked against its name."""

from __future__ import annotations

import os
import re
import zipfile

from store.geometry import GeometryError

EXTENSIONS = {".stl": "stl", ".3mf": "3mf", ".obj": "obj", ".dxf": "dxf", ".svg": "svg"}
HEAD_BYTES = 64 * 1024

# Formats that are never design files, recognised so a renamed one is named in the refusal.
FOREIGN_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "an executable"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0", "an Office document"),
)
OBJ_LINE = re.compile(rb"^\s*(v|vt|vn|f|o|g|s|usemtl|mtllib|l)\s", re.MULTILINE)
DXF_START = re.compile(rb"^\s*0\s*\r?\n\s*SECTION\s*\r?\n", re.IGNORECASE)
DXF_BINARY = b"AutoCAD Binary DXF\r\n\x1a\x00"


class UnsupportedFile(GeometryError):
    """The content is not a supported design file, or does not match the file's extension."""


def kind_from_name(name: str) -> str | None:
    return EXTENSIONS.get(os.path.splitext(name or "")[1].lower())


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 4:
            try:
                head.decode("latin-1")
                return all(b >= 9 for b in head[:4096])
            except UnicodeDecodeError:
                return False
    return True


def kind_from_content(path) -> str | None:
    """``stl``, ``3mf``, ``obj``, ``dxf`` or ``svg`` from the bytes, or None. Raises ``UnsupportedFile`` for a
    known foreign format."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    for magic, what in FOREIGN_MAGIC:
        if head.startswith(magic):
            raise UnsupportedFile(f"The file is {what}, not a design file.")
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = {info.filename.lower() for info in archive.infolist()[:10_000]}
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise UnsupportedFile("The file is a damaged ZIP archive.") from exc
        if "3d/3dmodel.model" in names or any(n.endswith(".model") and n.startswith("3d/") for n in names):
            return "3mf"
        raise UnsupportedFile("The file is a ZIP archive without a 3D model (not 3MF).")
    if head.startswith(DXF_BINARY):
        return "dxf"
    if _is_text(head):
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        lowered = text[:4096].lower()
        if lowered.startswith(b"solid") and (b"facet" in lowered or b"endsolid" in lowered or size < 1024):
            return "stl"
        if b"<svg" in head.lower() and (
            lowered.startswith(b"<?xml")
            or lowered.startswith(b"<svg")
            or b"<!doctype svg" in lowered
            or lowered.startswith(b"<!--")
        ):
            return "svg"
        if DXF_START.match(text) or re.match(rb"^\s*999\s*\r?\n", text):
            return "dxf"
        if OBJ_LINE.search(text) and re.search(rb"^\s*v\s", text, re.MULTILINE):
            return "obj"
        return None
    # Binary STL has no magic: an 80-byte header, a triangle count and 50-byte records. Anything binary and big
    # enough is treated as one; the measurement then checks the count against the size.
    if size >= 84:
        return "stl"
    return None


def detect_kind(path, *, name: str) -> str:
    """The file's kind by content; 415 ``unsupported_file`` (``UnsupportedFile``) when the content is not a
    supported design file or its extension names another kind."""
    expected = kind_from_name(name)
    if expected is None:
        raise UnsupportedFile("Supported files are .stl, .3mf, .obj, .dxf and .svg.")
    actual = kind_from_content(path)
    if actual is None:
        raise UnsupportedFile(f"The content is not a readable {expected.upper()} file.")
    if actual != expected:
        raise UnsupportedFile(f"The file is named .{expected} but its content is {actual.upper()}.")
    return actual
