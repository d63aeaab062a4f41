"""2D drawing measurement (DXF, SVG) for laser cutting: cut and engrave length, enclosed area, bounding box,
closed vs open paths and number of parts, all in mm.

Lengths of lines, arcs, circles and bulged polylines are exact (analytic); splines, ellipses and SVG curves
are measured numerically. Loops are chained from pieces by matching end points, so outlines drawn as separate
lines and arcs still count as closed."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field

from store.geometry import GeometryError, Limits

CHAIN_TOLERANCE_MM = 0.01
# Layer names that mean "engrave" (English, and GRAVIRANJE and the like), not a word that merely contains them.
ENGRAVE_LAYER = re.compile(r"(?:^|[^a-z])(?:engrav|grav|etch|raster|mark)", re.IGNORECASE)
IGNORED_DXF = {
    "TEXT",
    "MTEXT",
    "DIMENSION",
    "POINT",
    "HATCH",
    "INSERT",
    "ATTRIB",
    "ATTDEF",
    "VIEWPORT",
    "SOLID",
    "LEADER",
    "MLEADER",
    "IMAGE",
    "WIPEOUT",
    "TOLERANCE",
    "3DFACE",
    "REGION",
}
DXF_UNITS_MM = {0: 1.0, 1: 25.4, 2: 304.8, 4: 1.0, 5: 10.0, 6: 1000.0, 8: 0.0000254, 9: 0.0254, 10: 914.4}


@dataclass
class PlanarGeometry:
    cut_length_mm: float
    engrave_length_mm: float
    area_mm2: float
    bbox_mm: list[float]
    closed_paths: int
    open_paths: int
    parts: int
    entities: int
    units: str

    def as_dict(self) -> dict:
        return {"type": "planar", **asdict(self)}


@dataclass
class _Piece:
    """One drawn piece: its exact length and its outline as points (mm)."""

    length: float
    points: list[tuple[float, float]]
    closed: bool
    engrave: bool = False


@dataclass
class _Drawing:
    pieces: list[_Piece] = field(default_factory=list)
    segments: int = 0

    def add(self, piece: _Piece, limits: Limits) -> None:
        self.segments += max(1, len(piece.points) - 1)
        if self.segments > limits.max_path_segments:
            raise GeometryError(f"The drawing has more than {limits.max_path_segments} path segments (the limit).")
        self.pieces.append(piece)


def _polygon_area(points) -> float:
    total = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        total += x0 * y1 - x1 * y0
    return total / 2.0


def _point_in_polygon(point, polygon) -> bool:
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
            inside = not inside
    return inside


def _chain(pieces: list[_Piece]) -> tuple[list[list[tuple[float, float]]], int]:
    """Join open pieces end to end into loops; returns (closed loops as point lists, open chain count).

    End points within ``CHAIN_TOLERANCE_MM`` meet; they are looked up in a grid of that cell size, checking the
    neighbouring cells too, so two points a hair apart on either side of a cell border still meet."""
    loops = [piece.points for piece in pieces if piece.closed]
    open_pieces = [list(piece.points) for piece in pieces if not piece.closed and len(piece.points) >= 2]
    tolerance = CHAIN_TOLERANCE_MM

    def cell(point):
        return (math.floor(point[0] / tolerance), math.floor(point[1] / tolerance))

    grid: dict[tuple[int, int], list[int]] = {}
    for index, points in enumerate(open_pieces):
        grid.setdefault(cell(points[0]), []).append(index)
        grid.setdefault(cell(points[-1]), []).append(index)
    used = [False] * len(open_pieces)

    def meets(a, b) -> bool:
        return math.dist(a, b) <= tolerance

    def following(point):
        cx, cy = cell(point)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for index in grid.get((cx + dx, cy + dy), ()):
                    if not used[index] and (
                        meets(open_pieces[index][0], point) or meets(open_pieces[index][-1], point)
                    ):
                        return index
        return None

    open_chains = 0
    for start in range(len(open_pieces)):
        if used[start]:
            continue
        used[start] = True
        chain = list(open_pieces[start])
        while not (len(chain) > 2 and meets(chain[0], chain[-1])):
            index = following(chain[-1])
            if index is None:
                break
            used[index] = True
            points = open_pieces[index]
            chain.extend(points[1:] if meets(points[0], chain[-1]) else list(reversed(points))[1:])
        if len(chain) > 2 and meets(chain[0], chain[-1]):
            loops.append(chain[:-1])
        else:
            open_chains += 1
    return loops, open_chains


def _summarise(drawing: _Drawing, *, units: str, entities: int) -> PlanarGeometry:
    if not drawing.pieces:
        raise GeometryError("The drawing has no cuttable paths.")
    cut = [piece for piece in drawing.pieces if not piece.engrave]
    engrave = [piece for piece in drawing.pieces if piece.engrave]
    loops, open_chains = _chain(cut)
    xs = [x for piece in drawing.pieces for x, _ in piece.points]
    ys = [y for piece in drawing.pieces for _, y in piece.points]
    # Even-odd nesting: a loop inside an odd number of loops is a hole; top-level loops are parts.
    depths = []
    for index, loop in enumerate(loops):
        probe = loop[0]
        depth = sum(
            1 for other, candidate in enumerate(loops) if other != index and _point_in_polygon(probe, candidate)
        )
        depths.append(depth)
    area = float(
        sum(abs(_polygon_area(loop)) * (-1 if depth % 2 else 1) for loop, depth in zip(loops, depths, strict=True))
    )
    return PlanarGeometry(
        cut_length_mm=round(float(sum(piece.length for piece in cut)), 4),
        engrave_length_mm=round(float(sum(piece.length for piece in engrave)), 4),
        area_mm2=round(max(area, 0.0), 4),
        bbox_mm=[round(float(max(xs) - min(xs)), 4), round(float(max(ys) - min(ys)), 4)],
        closed_paths=len(loops),
        open_paths=open_chains,
        parts=sum(1 for depth in depths if depth == 0),
        entities=entities,
        units=units,
    )


# --- DXF ------------------------------------------------------------------------------------------------------


def _dxf_prescan(path, limits: Limits) -> None:
    """Count entities from the raw (group code, value) pairs before ezdxf builds objects for them (each costs
    about a kilobyte): a file of a million tiny entities is refused while it is still bytes."""
    count = 0
    with open(path, "rb") as handle:
        if handle.read(22).startswith(b"AutoCAD Binary DXF"):
            return  # binary DXF is bounded by the upload size; ezdxf reads it directly
        handle.seek(0)
        while True:
            code, value = handle.readline(), handle.readline()
            if not value:
                break
            if len(code) > 65536 or len(value) > 65536:
                raise GeometryError("DXF line too long.")
            if code.strip() == b"0" and value.strip() not in (b"SECTION", b"ENDSEC", b"EOF", b"VERTEX", b"SEQEND"):
                count += 1
                if count > limits.max_entities:
                    raise GeometryError(f"The drawing has more than {limits.max_entities} entities (the limit).")


def _arc_points(cx, cy, radius, start_deg, end_deg, *, segments_per_turn=64):
    sweep = (end_deg - start_deg) % 360 or 360.0
    steps = max(2, int(segments_per_turn * sweep / 360) + 1)
    return [
        (
            cx + radius * math.cos(math.radians(start_deg + sweep * i / steps)),
            cy + radius * math.sin(math.radians(start_deg + sweep * i / steps)),
        )
        for i in range(steps + 1)
    ], math.radians(sweep) * radius


def _bulge_segment(p0, p1, bulge):
    """Length and points of a polyline segment with a bulge (tan of a quarter of the arc's angle)."""
    chord = math.dist(p0, p1)
    if abs(bulge) < 1e-12 or chord == 0:
        return chord, [p1]
    angle = 4 * math.atan(bulge)
    radius = chord / (2 * math.sin(abs(angle) / 2))
    length = abs(angle) * radius
    # Centre: on the chord's perpendicular bisector.
    mx, my = (p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2
    offset = radius * math.cos(abs(angle) / 2) * (1 if bulge > 0 else -1)
    if abs(angle) > math.pi:
        offset = -offset
    dx, dy = (p1[0] - p0[0]) / chord, (p1[1] - p0[1]) / chord
    cx, cy = mx - dy * offset, my + dx * offset
    start = math.atan2(p0[1] - cy, p0[0] - cx)
    steps = max(2, int(16 * abs(angle) / math.pi))
    points = [
        (cx + radius * math.cos(start + angle * i / steps), cy + radius * math.sin(start + angle * i / steps))
        for i in range(1, steps + 1)
    ]
    return length, points


def _dxf_piece(entity, scale: float, engrave: bool) -> _Piece | None:
    kind = entity.dxftype()
    if kind == "LINE":
        start, end = entity.dxf.start, entity.dxf.end
        p0, p1 = (start.x * scale, start.y * scale), (end.x * scale, end.y * scale)
        length = math.dist(p0, p1)
        return _Piece(length, [p0, p1], False, engrave) if length > 0 else None
    if kind == "CIRCLE":
        c, r = entity.dxf.center, entity.dxf.radius * scale
        if r <= 0:
            return None
        points, _ = _arc_points(c.x * scale, c.y * scale, r, 0, 360)
        return _Piece(2 * math.pi * r, points[:-1], True, engrave)
    if kind == "ARC":
        c, r = entity.dxf.center, entity.dxf.radius * scale
        if r <= 0:
            return None
        points, length = _arc_points(c.x * scale, c.y * scale, r, entity.dxf.start_angle, entity.dxf.end_angle)
        return _Piece(length, points, False, engrave)
    if kind in ("LWPOLYLINE", "POLYLINE"):
        if kind == "LWPOLYLINE":
            vertices = [(x * scale, y * scale, bulge) for x, y, _sw, _ew, bulge in entity.get_points("xyseb")]
            closed = entity.closed
        else:
            if entity.get_mode() != "AcDb2dPolyline":
                return None
            vertices = [
                (v.dxf.location.x * scale, v.dxf.location.y * scale, v.dxf.get("bulge", 0.0)) for v in entity.vertices
            ]
            closed = entity.is_closed
        if len(vertices) < 2:
            return None
        pairs = list(zip(vertices, vertices[1:], strict=False))
        if closed:
            pairs.append((vertices[-1], vertices[0]))
        points = [vertices[0][:2]]
        length = 0.0
        for (x0, y0, bulge), (x1, y1, _) in pairs:
            seg_length, seg_points = _bulge_segment((x0, y0), (x1, y1), bulge)
            length += seg_length
            points.extend(seg_points)
        if closed:
            points = points[:-1]
        return _Piece(length, points, closed, engrave) if length > 0 else None
    if kind in ("SPLINE", "ELLIPSE"):
        from ezdxf import path as dxf_path

        flattened = [(v.x * scale, v.y * scale) for v in dxf_path.make_path(entity).flattening(0.01 / scale)]
        if len(flattened) < 2:
            return None
        length = sum(math.dist(a, b) for a, b in zip(flattened, flattened[1:], strict=False))
        closed = math.dist(flattened[0], flattened[-1]) < CHAIN_TOLERANCE_MM
        return _Piece(length, flattened[:-1] if closed else flattened, closed, engrave) if length > 0 else None
    return None


def measure_dxf(path, *, limits: Limits) -> PlanarGeometry:
    drawing, units, entities = dxf_drawing(path, limits=limits)
    return _summarise(drawing, units=units, entities=entities)


def dxf_drawing(path, *, limits: Limits) -> tuple[_Drawing, str, int]:
    """The DXF's pieces (mm), its units and its entity count."""
    import ezdxf
    from ezdxf.lldxf.const import DXFError

    _dxf_prescan(path, limits)
    try:
        document = ezdxf.readfile(path)
    except (DXFError, UnicodeDecodeError, ValueError) as exc:
        raise GeometryError(f"The DXF file is damaged: {str(exc)[:160]}") from exc
    code = int(document.header.get("$INSUNITS", 0) or 0)
    scale = DXF_UNITS_MM.get(code, 1.0)
    units = {0: "unitless (read as mm)", 1: "in", 4: "mm", 5: "cm", 6: "m"}.get(code, f"code {code}")
    drawing = _Drawing()
    entities = 0
    for entity in document.modelspace():
        entities += 1
        if entities > limits.max_entities:
            raise GeometryError(f"The drawing has more than {limits.max_entities} entities (the limit).")
        if entity.dxftype() in IGNORED_DXF:
            continue
        piece = _dxf_piece(entity, scale, bool(ENGRAVE_LAYER.search(entity.dxf.get("layer", "0") or "")))
        if piece is not None:
            drawing.add(piece, limits)
    return drawing, units, entities


# --- SVG ------------------------------------------------------------------------------------------------------

SVG_UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6, "px": 25.4 / 96, "": 25.4 / 96}
LENGTH = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-z%]*)\s*$")
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
SHAPES = {"path", "rect", "circle", "ellipse", "line", "polyline", "polygon"}


def _length(value: str | None) -> tuple[float, str] | None:
    match = LENGTH.match(value or "")
    if not match:
        return None
    return float(match.group(1)), match.group(2)


def _num(element, name: str, default: float = 0.0) -> float:
    parsed = _length(element.get(name))
    return parsed[0] if parsed else default


def _shape_d(tag: str, element) -> str | None:
    """The shape as SVG path data."""
    if tag == "path":
        return element.get("d")
    if tag == "rect":
        x, y, w, h = (_num(element, n) for n in ("x", "y", "width", "height"))
        if w <= 0 or h <= 0:
            return None
        rx = _num(element, "rx", -1)
        ry = _num(element, "ry", -1)
        rx, ry = (ry if rx < 0 else rx), (rx if ry < 0 else ry)
        rx, ry = min(max(rx, 0), w / 2), min(max(ry, 0), h / 2)
        if rx and ry:
            return (
                f"M{x + rx},{y} H{x + w - rx} A{rx},{ry} 0 0 1 {x + w},{y + ry} V{y + h - ry} "
                f"A{rx},{ry} 0 0 1 {x + w - rx},{y + h} H{x + rx} A{rx},{ry} 0 0 1 {x},{y + h - ry} "
                f"V{y + ry} A{rx},{ry} 0 0 1 {x + rx},{y} Z"
            )
        return f"M{x},{y} H{x + w} V{y + h} H{x} Z"
    if tag in ("circle", "ellipse"):
        cx, cy = _num(element, "cx"), _num(element, "cy")
        rx = _num(element, "r") if tag == "circle" else _num(element, "rx")
        ry = rx if tag == "circle" else _num(element, "ry")
        if rx <= 0 or ry <= 0:
            return None
        return f"M{cx - rx},{cy} A{rx},{ry} 0 1 0 {cx + rx},{cy} A{rx},{ry} 0 1 0 {cx - rx},{cy} Z"
    if tag == "line":
        return f"M{_num(element, 'x1')},{_num(element, 'y1')} L{_num(element, 'x2')},{_num(element, 'y2')}"
    if tag in ("polyline", "polygon"):
        values = [float(v) for v in NUMBER.findall(element.get("points") or "")]
        if len(values) < 4:
            return None
        pairs = [f"{values[i]},{values[i + 1]}" for i in range(0, len(values) - 1, 2)]
        return "M" + " L".join(pairs) + (" Z" if tag == "polygon" else "")
    return None


def _svg_scale(root) -> tuple[float, float, float, str]:
    """(mm per user unit in x, in y, y offset origin, units name) from width/height and viewBox."""
    view_box = [float(v) for v in NUMBER.findall(root.get("viewBox") or "")]
    width, height = _length(root.get("width")), _length(root.get("height"))
    if len(view_box) == 4 and view_box[2] > 0 and view_box[3] > 0:
        sx = (width[0] * SVG_UNITS_MM.get(width[1], 25.4 / 96) / view_box[2]) if width else 25.4 / 96
        sy = (height[0] * SVG_UNITS_MM.get(height[1], 25.4 / 96) / view_box[3]) if height else sx
        return sx, sy, 0.0, (width[1] if width else "") or "px"
    unit = (width[1] if width else "") or "px"
    return 25.4 / 96, 25.4 / 96, 0.0, unit


def _is_engrave(element, inherited: bool) -> bool:
    """Filled shapes, and MeerK40t's engrave/raster operation groups, are engraved rather than cut."""
    fill = re.search(r"fill\s*:\s*([^;]+)", element.get("style") or "")
    fill_value = (fill.group(1) if fill else element.get("fill") or "").strip().lower()
    if re.search(r"engrave|raster", element.get("type") or "", re.IGNORECASE):
        return True
    return inherited or (bool(fill_value) and fill_value not in ("none", "transparent"))


def measure_svg(path, *, limits: Limits) -> PlanarGeometry:
    drawing, units, entities = svg_drawing(path, limits=limits)
    return _summarise(drawing, units=units, entities=entities)


def svg_drawing(path, *, limits: Limits) -> tuple[_Drawing, str, int]:
    """The SVG's pieces (mm, y down as drawn), its units and its shape count."""
    import numpy as np
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import parse
    from svgpathtools import parse_path
    from svgpathtools.parser import parse_transform
    from svgpathtools.path import transform as path_transform

    try:
        tree = parse(path, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise GeometryError(f"The SVG uses XML entities or external references, which are refused ({exc}).") from exc
    except Exception as exc:  # noqa: BLE001 - any XML parser error is a damaged file
        raise GeometryError(f"The SVG is not well-formed XML: {str(exc)[:160]}") from exc
    root = tree.getroot()
    if root.tag.rsplit("}", 1)[-1] != "svg":
        raise GeometryError("The XML document is not an SVG.")
    sx, sy, _offset, units = _svg_scale(root)
    base = np.array([[sx, 0, 0], [0, sy, 0], [0, 0, 1]], dtype=float)
    drawing = _Drawing()
    entities = 0
    stack = [(root, base, False, 0)]
    while stack:
        element, matrix, engrave, depth = stack.pop()
        if depth > 64:
            raise GeometryError("The SVG is nested too deeply.")
        tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if tag in ("defs", "clipPath", "mask", "symbol", "marker", "pattern", "metadata", "style", "text", "title"):
            continue
        local = matrix
        if element.get("transform"):
            local = matrix @ parse_transform(element.get("transform"))
        flag = _is_engrave(element, engrave) if tag == "g" else engrave
        if tag in SHAPES:
            entities += 1
            if entities > limits.max_entities:
                raise GeometryError(f"The drawing has more than {limits.max_entities} shapes (the limit).")
            data = _shape_d(tag, element)
            if data:
                drawing.segments += data.count(" ") // 2
                if drawing.segments > limits.max_path_segments:
                    raise GeometryError(
                        f"The drawing has more than {limits.max_path_segments} path segments (the limit)."
                    )
                parsed = path_transform(parse_path(data), local)
                for subpath in parsed.continuous_subpaths():
                    if len(subpath) == 0:
                        continue
                    length = float(subpath.length(error=1e-6))
                    if length <= 0:
                        continue
                    points = [(p.real, p.imag) for segment in subpath for p in _sample(segment)]
                    closed = subpath.isclosed()
                    piece = _Piece(length, points[:-1] if closed else points, closed, _is_engrave(element, flag))
                    drawing.add(piece, limits)
        for child in reversed(list(element)):
            stack.append((child, local, flag, depth + 1))
    return drawing, units, entities


def _sample(segment):
    from svgpathtools import Line

    if isinstance(segment, Line):
        return [segment.start, segment.end]
    steps = 16
    return [segment.point(i / steps) for i in range(steps + 1)]
