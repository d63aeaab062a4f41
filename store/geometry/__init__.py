"""Design-file geometry: content-based type detection and measurement of meshes (STL, 3MF, OBJ) and 2D drawings
(DXF, SVG). Pure functions over a file path and ``Limits``; every refusal is a ``GeometryError`` with a reason."""

from __future__ import annotations

from dataclasses import dataclass


class GeometryError(Exception):
    """The file cannot be measured (malformed, truncated, hostile or over a limit); the message is the reason."""


@dataclass(frozen=True)
class Limits:
    """Caps on the work one file may cause (all configurable through settings)."""

    max_triangles: int = 2_000_000
    max_entities: int = 100_000
    max_path_segments: int = 200_000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_compression_ratio: int = 200

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            max_triangles=settings.GEOMETRY_MAX_TRIANGLES,
            max_entities=settings.GEOMETRY_MAX_ENTITIES,
            max_path_segments=settings.GEOMETRY_MAX_PATH_SEGMENTS,
            max_uncompressed_bytes=settings.GEOMETRY_MAX_UNCOMPRESSED_MB * 1024 * 1024,
        )


MESH_KINDS = ("stl", "3mf", "obj")
PLANAR_KINDS = ("dxf", "svg")


def measure(path, *, kind: str, limits: Limits | None = None) -> dict:
    """Measure a file of a detected ``kind``; the geometry as a JSON-ready dict (mm). Raises ``GeometryError``."""
    from store.geometry import mesh, planar

    limits = limits or Limits()
    try:
        if kind == "stl":
            return mesh.measure_stl(path, limits=limits).as_dict()
        if kind == "3mf":
            return mesh.measure_3mf(path, limits=limits).as_dict()
        if kind == "obj":
            return mesh.measure_obj(path, limits=limits).as_dict()
        if kind == "dxf":
            return planar.measure_dxf(path, limits=limits).as_dict()
        if kind == "svg":
            return planar.measure_svg(path, limits=limits).as_dict()
    except GeometryError:
        raise
    except MemoryError as exc:
        raise GeometryError("The file needs more memory than allowed to measure.") from exc
    except RecursionError as exc:
        raise GeometryError("The file is nested too deeply.") from exc
    except Exception as exc:  # noqa: BLE001 - a parser's surprise on a hostile file is a refusal, never a 500
        raise GeometryError(f"The file could not be read as {kind.upper()}: {str(exc)[:200]}") from exc
    raise GeometryError(f"Unknown kind {kind!r}.")
