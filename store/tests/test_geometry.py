"""Geometry: every fixture measured, meshes against an independent signed-tetrahedron sum, exact 2D lengths of
generated shapes, content-based kind detection, and hostile files refused with a reason in bounded memory."""

from __future__ import annotations

import json
import math
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from store.geometry import GeometryError, Limits, measure
from store.geometry.detect import UnsupportedFile, detect_kind
from store.geometry.isolated import measure_isolated

FIXTURES = Path(__file__).parent / "fixtures"


def _triangles_independent(path: Path) -> list[tuple[tuple[float, ...], ...]]:
    """Read STL triangles with the standard library only (not the code under test)."""
    data = path.read_bytes()
    if data.lstrip().startswith(b"solid") and b"\x00" not in data[:4096]:
        values = [
            tuple(float(v) for v in line.split()[1:4])
            for line in data.decode().splitlines()
            if line.strip().startswith("vertex")
        ]
        return [tuple(values[i : i + 3]) for i in range(0, len(values), 3)]
    (count,) = struct.unpack_from("<I", data, 80)
    triangles = []
    for index in range(count):
        floats = struct.unpack_from("<12f", data, 84 + 50 * index)
        triangles.append((floats[3:6], floats[6:9], floats[9:12]))
    return triangles


def _signed_volume(triangles) -> float:
    total = 0.0
    for (ax, ay, az), (bx, by, bz), (cx, cy, cz) in triangles:
        total += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx)
    return total / 6.0


# file: (watertight, bbox from SOURCES.md or None, shells)
STL_EXPECTED = {
    "cube_ascii_watertight.stl": (True, [2.0, 2.0, 2.0], 1),
    "halfdonut_binary_solid_header.stl": (True, None, 1),
    "plate_holes_binary_watertight.stl": (True, [203.2, 304.8, 12.7], 1),
    "multibody_ascii_inverted_normals.stl": (True, None, 2),
    "triamid_binary_inconsistent_winding.stl": (True, None, 1),
    "soup_binary_not_watertight.stl": (False, None, 100),
    "teapot_binary_open_zero_normals.stl": (False, None, None),
    "shared_edge_nonmanifold.stl": (False, [2.0, 2.0, 1.0], None),
}


@pytest.mark.parametrize("name", sorted(STL_EXPECTED))
def test_every_stl_fixture_is_measured_like_an_independent_computation(name):
    path = FIXTURES / "stl" / name
    watertight, bbox, shells = STL_EXPECTED[name]

    kind = detect_kind(path, name=name)
    geometry = measure(path, kind=kind)

    assert kind == "stl"
    expected_volume = abs(_signed_volume(_triangles_independent(path)))
    assert geometry["volume_mm3"] == pytest.approx(expected_volume, rel=1e-3, abs=1e-3)
    assert geometry["triangles"] == len(_triangles_independent(path))
    assert geometry["watertight"] is watertight
    if bbox:
        assert geometry["bbox_mm"] == pytest.approx(bbox, abs=1e-3)
    if shells:
        assert geometry["shells"] == shells


def test_known_volumes_and_winding_from_the_fixture_notes():
    stl = FIXTURES / "stl"
    assert measure(stl / "cube_ascii_watertight.stl", kind="stl")["volume_mm3"] == pytest.approx(8.0)
    assert measure(stl / "halfdonut_binary_solid_header.stl", kind="stl")["volume_mm3"] == pytest.approx(
        2.343, abs=1e-3
    )
    plate = measure(stl / "plate_holes_binary_watertight.stl", kind="stl")
    assert plate["volume_mm3"] == pytest.approx(767362, rel=1e-3)
    assert plate["winding_consistent"] is True
    assert measure(stl / "triamid_binary_inconsistent_winding.stl", kind="stl")["winding_consistent"] is False
    assert measure(stl / "shared_edge_nonmanifold.stl", kind="stl")["volume_mm3"] == pytest.approx(2.0)


@pytest.mark.parametrize("folder", ["dxf", "svg"])
def test_every_2d_fixture_is_measured(folder):
    for path in sorted((FIXTURES / folder).glob(f"*.{folder}")):
        geometry = measure(path, kind=detect_kind(path, name=path.name))
        assert geometry["cut_length_mm"] + geometry["engrave_length_mm"] > 0, path.name
        assert all(value > 0 for value in geometry["bbox_mm"]), path.name
        json.dumps(geometry)  # plain JSON values only


def test_dxf_units_and_layers_from_the_fixture_notes():
    dxf = FIXTURES / "dxf"
    lm2 = measure(dxf / "lm2_r2007_ac1021_mm_layers.dxf", kind="dxf")
    assert lm2["units"] == "mm"
    assert lm2["bbox_mm"][0] == pytest.approx(410, abs=1)  # extents about -246…205 on the cut layers
    assert lm2["open_paths"] == 0
    tray = measure(dxf / "tray_bottom_r2000_ac1015.dxf", kind="dxf")
    assert tray["units"] == "in"
    assert tray["closed_paths"] == 24 and tray["parts"] == 1  # one plate, 23 holes and cut-outs inside it
    wrench = measure(dxf / "wrench_r2004_ac1018.dxf", kind="dxf")
    assert wrench["open_paths"] == 0 and wrench["closed_paths"] >= 1  # separate lines and arcs chained into loops
    # The same drawing in R12 (no units) and R2013 (inches): the same outline length.
    r12 = measure(dxf / "ae_r12_ac1009_polyline.dxf", kind="dxf")
    r2013 = measure(dxf / "ae_r2013_ac1027_spline.dxf", kind="dxf")
    assert r2013["cut_length_mm"] / 25.4 == pytest.approx(r12["cut_length_mm"], rel=0.01)


def test_svg_units_from_the_fixture_notes():
    polygon = measure(FIXTURES / "svg" / "trimesh_polygon_a4_mm.svg", kind="svg")
    assert polygon["units"] == "mm"
    assert polygon["closed_paths"] == 1 and polygon["parts"] == 1
    # Open sub-paths with arcs, chained into one closed outline (end points meet within 0.01 mm).
    outline = measure(FIXTURES / "svg" / "trimesh_MIL_outline.svg", kind="svg")
    assert outline["parts"] == 1 and outline["area_mm2"] > 100_000
    shapes = measure(FIXTURES / "svg" / "vpype_all_shapes.svg", kind="svg")
    assert shapes["open_paths"] == 2  # the line and the polyline


def _dxf(tmp_path, build) -> Path:
    import ezdxf

    document = ezdxf.new("R2010")
    document.header["$INSUNITS"] = 4
    build(document.modelspace())
    path = tmp_path / "shape.dxf"
    document.saveas(path)
    return path


def test_dxf_cut_length_of_simple_shapes_is_exact(tmp_path):
    rectangle = _dxf(tmp_path, lambda msp: msp.add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True))
    geometry = measure(rectangle, kind="dxf")
    assert geometry["cut_length_mm"] == 300.0
    assert geometry["area_mm2"] == pytest.approx(5000.0)
    assert geometry["bbox_mm"] == [100.0, 50.0]
    assert (geometry["closed_paths"], geometry["open_paths"], geometry["parts"]) == (1, 0, 1)

    def plate_with_hole(msp):
        for start, end in [((0, 0), (80, 0)), ((80, 0), (80, 40)), ((80, 40), (0, 40)), ((0, 40), (0, 0))]:
            msp.add_line(start, end)
        msp.add_circle((40, 20), radius=10)

    geometry = measure(_dxf(tmp_path, plate_with_hole), kind="dxf")
    assert geometry["cut_length_mm"] == pytest.approx(240 + 2 * math.pi * 10, abs=1e-4)  # reported to 0.1 µm
    assert (geometry["closed_paths"], geometry["parts"]) == (2, 1)
    assert geometry["area_mm2"] == pytest.approx(3200 - math.pi * 100, rel=2e-3)  # the hole is polygonised

    arc = measure(_dxf(tmp_path, lambda msp: msp.add_arc((0, 0), radius=20, start_angle=0, end_angle=90)), kind="dxf")
    assert arc["cut_length_mm"] == pytest.approx(10 * math.pi, abs=1e-4)  # reported to 0.1 µm
    assert arc["open_paths"] == 1


def test_svg_cut_length_of_simple_shapes_is_exact(tmp_path):
    path = tmp_path / "square.svg"
    path.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="100mm" height="100mm" viewBox="0 0 100 100">'
        '<rect x="10" y="10" width="30" height="20" fill="none" stroke="#000"/>'
        '<line x1="0" y1="0" x2="0" y2="50" stroke="#000"/></svg>'
    )
    geometry = measure(path, kind="svg")
    assert geometry["cut_length_mm"] == pytest.approx(150.0, abs=1e-4)  # reported to 0.1 µm
    assert geometry["area_mm2"] == pytest.approx(600.0)
    assert (geometry["closed_paths"], geometry["open_paths"]) == (1, 1)


# --- content-based kind detection -----------------------------------------------------------------------------


def test_renamed_files_are_refused_by_content(tmp_path):
    stl = FIXTURES / "stl" / "plate_holes_binary_watertight.stl"
    svg = FIXTURES / "svg" / "trimesh_polygon_a4_mm.svg"
    dxf = FIXTURES / "dxf" / "wrench_r2004_ac1018.dxf"
    assert detect_kind(stl, name="part.STL") == "stl"
    assert detect_kind(FIXTURES / "stl" / "halfdonut_binary_solid_header.stl", name="x.stl") == "stl"
    for path, wrong in [(stl, "part.svg"), (svg, "drawing.dxf"), (dxf, "drawing.svg"), (svg, "drawing.txt")]:
        with pytest.raises(UnsupportedFile):
            detect_kind(path, name=wrong)
    png = tmp_path / "image.stl"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    with pytest.raises(UnsupportedFile, match="PNG"):
        detect_kind(png, name="image.stl")
    text = tmp_path / "notes.stl"
    text.write_text("just some notes, not a mesh\n" * 10)
    with pytest.raises(UnsupportedFile):
        detect_kind(text, name="notes.stl")
    archive = tmp_path / "model.3mf"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("readme.txt", "no model here")
    with pytest.raises(UnsupportedFile, match="3MF"):
        detect_kind(archive, name="model.3mf")


def test_3mf_and_obj_are_measured(tmp_path):
    cube = FIXTURES / "stl" / "cube_ascii_watertight.stl"
    triangles = _triangles_independent(cube)
    vertices = [v for tri in triangles for v in tri]
    model = (
        '<?xml version="1.0"?><model unit="millimeter" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">'
        "<resources><object id='1' type='model'><mesh><vertices>"
        + "".join(f'<vertex x="{x}" y="{y}" z="{z}"/>' for x, y, z in vertices)
        + "</vertices><triangles>"
        + "".join(f'<triangle v1="{3 * i}" v2="{3 * i + 1}" v3="{3 * i + 2}"/>' for i in range(len(triangles)))
        + "</triangles></mesh></object></resources></model>"
    )
    archive = tmp_path / "cube.3mf"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("3D/3dmodel.model", model)
    assert detect_kind(archive, name="cube.3mf") == "3mf"
    assert measure(archive, kind="3mf")["volume_mm3"] == pytest.approx(8.0)

    obj = tmp_path / "cube.obj"
    obj.write_text(
        "".join(f"v {x} {y} {z}\n" for x, y, z in vertices)
        + "".join(f"f {3 * i + 1} {3 * i + 2} {3 * i + 3}\n" for i in range(len(triangles)))
    )
    assert detect_kind(obj, name="cube.obj") == "obj"
    geometry = measure(obj, kind="obj")
    assert geometry["volume_mm3"] == pytest.approx(8.0) and geometry["watertight"] is True


# --- hostile files --------------------------------------------------------------------------------------------

SMALL = Limits(max_triangles=100_000, max_entities=10_000, max_path_segments=50_000, max_uncompressed_bytes=20 << 20)


def _hostile_files(tmp_path) -> dict[str, tuple[Path, str, str]]:
    files = {}
    liar = tmp_path / "liar.stl"
    liar.write_bytes(b"\x01" * 80 + struct.pack("<I", 4_000_000_000) + b"\x02" * 500)
    files["header claims more triangles than bytes"] = (liar, "stl", "claims")
    nan = tmp_path / "nan.stl"
    record = struct.pack("<12fH", 0, 0, 0, math.nan, 0, 0, 1, 0, 0, 0, 1, 0, 0)
    nan.write_bytes(b"\x01" * 80 + struct.pack("<I", 1) + record)
    files["NaN vertices"] = (nan, "stl", "not finite")
    truncated = tmp_path / "truncated.stl"
    truncated.write_bytes((FIXTURES / "stl" / "plate_holes_binary_watertight.stl").read_bytes()[:30_000])
    files["truncated binary STL"] = (truncated, "stl", "Truncated")
    bomb = tmp_path / "bomb.3mf"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as handle:
        with handle.open("3D/3dmodel.model", "w") as member:
            member.write(b"<model>" + b" " * (200 << 20))
    files["3MF zip bomb"] = (bomb, "3mf", "zip bomb")
    entities = tmp_path / "billion_laughs.svg"
    entities.write_text(
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>'
    )
    files["SVG entity expansion"] = (entities, "svg", "entities")
    external = tmp_path / "external.svg"
    external.write_text(
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>'
    )
    files["SVG external reference"] = (external, "svg", "entities")
    many = tmp_path / "million.dxf"
    with many.open("w") as handle:
        handle.write("0\nSECTION\n2\nENTITIES\n")
        handle.write("0\nLINE\n8\n0\n10\n0\n20\n0\n11\n0\n21\n0\n" * 1_000_000)
        handle.write("0\nENDSEC\n0\nEOF\n")
    files["DXF with a million zero-length entities"] = (many, "dxf", "entities")
    cut = tmp_path / "cut.dxf"
    cut.write_bytes((FIXTURES / "dxf" / "wrench_r2004_ac1018.dxf").read_bytes()[:20_000])
    files["truncated DXF"] = (cut, "dxf", "")
    svg_cut = tmp_path / "cut.svg"
    svg_cut.write_bytes((FIXTURES / "svg" / "meerk40t_burntest.svg").read_bytes()[:5_000])
    files["truncated SVG"] = (svg_cut, "svg", "well-formed")
    return files


def test_hostile_files_fail_with_a_reason_in_bounded_memory(tmp_path):
    for what, (path, kind, reason) in _hostile_files(tmp_path).items():
        tracemalloc.start()
        try:
            with pytest.raises(GeometryError) as raised:
                measure(path, kind=kind, limits=SMALL)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert reason.lower() in str(raised.value).lower(), (what, str(raised.value))
        assert peak < 64 * 1024 * 1024, (what, peak)


def test_the_isolated_measurement_survives_a_memory_limit(tmp_path):
    """A child under RLIMIT_AS: at a limit where a small file measures fine (the interpreter with numpy and
    scipy needs about 250 MB of address space), a million triangles need more and fail with a reason, and the
    caller lives on."""
    limit_mb = 300
    small = measure_isolated(
        FIXTURES / "stl" / "cube_ascii_watertight.stl",
        kind="stl",
        limits=Limits(),
        memory_mb=limit_mb,
        timeout_seconds=120,
    )
    assert small["volume_mm3"] == pytest.approx(8.0)
    big = tmp_path / "big.stl"
    count = 1_000_000
    with big.open("wb") as handle:
        handle.write(b"\x01" * 80 + struct.pack("<I", count))
        handle.write(struct.pack("<12fH", 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0) * count)
    with pytest.raises(GeometryError, match="memory"):
        measure_isolated(big, kind="stl", limits=Limits(), memory_mb=limit_mb, timeout_seconds=120)
    liar = tmp_path / "liar.stl"
    liar.write_bytes(b"\x01" * 80 + struct.pack("<I", 4_000_000_000) + b"\x02" * 500)
    with pytest.raises(GeometryError, match="claims"):
        measure_isolated(liar, kind="stl", limits=Limits(), memory_mb=1024, timeout_seconds=60)


def test_the_measuring_child_is_a_plain_python_module():
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "store.geometry.isolated",
            str(FIXTURES / "stl" / "cube_ascii_watertight.stl"),
            "stl",
            json.dumps({}),
        ],
        capture_output=True,
        check=True,
    )
    assert json.loads(completed.stdout)["geometry"]["triangles"] == 12


def test_vertex_hash_collisions_fall_back_to_the_exact_merge(monkeypatch):
    from store.geometry import mesh

    expected = measure(FIXTURES / "stl" / "plate_holes_binary_watertight.stl", kind="stl")
    # Hashing only z makes every vertex of a layer collide: the exact comparison must catch it.
    monkeypatch.setattr(mesh, "HASH_X", mesh.np.uint64(0))
    monkeypatch.setattr(mesh, "HASH_Y", mesh.np.uint64(0))
    assert measure(FIXTURES / "stl" / "plate_holes_binary_watertight.stl", kind="stl") == expected
