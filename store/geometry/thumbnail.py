"""Server-side PNG previews of design files: meshes seen from above (shaded by facet slope), 2D drawings as
their cut (black) and engrave (blue) lines."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from store.geometry import GeometryError, Limits

MAX_PREVIEW_TRIANGLES = 200_000
MARGIN = 8


def _fit(points: np.ndarray, size: int, *, flip_y: bool) -> np.ndarray:
    low, high = points.min(axis=0), points.max(axis=0)
    span = float(max((high - low).max(), 1e-9))
    scale = (size - 2 * MARGIN) / span
    fitted = (points - low) * scale + MARGIN
    if flip_y:
        fitted[:, 1] = size - fitted[:, 1]
    return fitted


def _mesh_png(triangles: np.ndarray, size: int) -> Image.Image:
    if len(triangles) > MAX_PREVIEW_TRIANGLES:
        triangles = triangles[:: len(triangles) // MAX_PREVIEW_TRIANGLES + 1]
    normals = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
    lengths = np.linalg.norm(normals, axis=1)
    lengths[lengths == 0] = 1
    shade = (60 + 180 * np.abs(normals[:, 2] / lengths)).astype(int)
    order = np.argsort(triangles[:, :, 2].mean(axis=1))  # lowest first, so the top surface is drawn last
    flat = _fit(triangles[:, :, :2].reshape(-1, 2), size, flip_y=True).reshape(-1, 3, 2)
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    for index in order:
        value = int(shade[index])
        draw.polygon([tuple(point) for point in flat[index]], fill=(value, value, min(255, value + 30)))
    return image


def _planar_png(drawing, size: int, *, flip_y: bool) -> Image.Image:
    points = np.asarray([point for piece in drawing.pieces for point in piece.points], dtype=float)
    if not len(points):
        raise GeometryError("Nothing to draw.")
    low, high = points.min(axis=0), points.max(axis=0)
    span = float(max((high - low).max(), 1e-9))
    scale = (size - 2 * MARGIN) / span
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    for piece in drawing.pieces:
        outline = (np.asarray(piece.points, dtype=float) - low) * scale + MARGIN
        if flip_y:
            outline[:, 1] = size - outline[:, 1]
        coordinates = [tuple(point) for point in outline]
        if piece.closed:
            coordinates.append(coordinates[0])
        draw.line(coordinates, fill=(30, 90, 200) if piece.engrave else (0, 0, 0), width=1)
    return image


def render_thumbnail(path, *, kind: str, limits: Limits | None = None, size: int = 256) -> bytes:
    """A ``size`` x ``size`` PNG of the file; ``GeometryError`` when it cannot be read."""
    from store.geometry import mesh, planar

    limits = limits or Limits()
    try:
        readers = {"stl": mesh.read_stl, "3mf": mesh.read_3mf, "obj": mesh.read_obj}
        if kind in readers:
            triangles = readers[kind](path, limits=limits)
            if not np.isfinite(triangles).all():
                raise GeometryError("The mesh has vertices that are not finite numbers.")
            image = _mesh_png(triangles, size)
        elif kind == "dxf":
            image = _planar_png(planar.dxf_drawing(path, limits=limits)[0], size, flip_y=True)
        elif kind == "svg":
            image = _planar_png(planar.svg_drawing(path, limits=limits)[0], size, flip_y=False)
        else:
            raise GeometryError(f"Unknown kind {kind!r}.")
    except GeometryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a file that cannot be drawn has no preview, the admin page still works
        raise GeometryError(f"No preview: {str(exc)[:200]}") from exc
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
