"""BOM parsing: every fixture export (CSV dialects, XLSX) read with the right columns, lines and quantities, and
the rules for designators, quantities, DNP, encodings and hostile content."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from makrx.errors import PayloadTooLarge, UnsupportedMediaType, ValidationError
from store.bom_parsing import expand_designators, parse_bom, parse_quantity

FIXTURES = Path(__file__).parent / "fixtures" / "bom"
LIMITS = {"max_lines": 5000, "max_uncompressed": 50 * 1024 * 1024}


def parse_fixture(name: str):
    return parse_bom((FIXTURES / name).read_bytes(), **LIMITS)


def parse_text(text: str, encoding: str = "utf-8", **limits):
    return parse_bom(text.encode(encoding), **{**LIMITS, **limits})


# name: (format, delimiter, header row, columns {field: header}, lines, total parts, problem codes)
FIXTURE_EXPECTATIONS = {
    "atopile_i2c_unicode_values_bom.csv": (
        "csv", ",", 1,
        {"designators": "Designator", "footprint": "Footprint", "quantity": "Quantity", "value": "Value",
         "manufacturer": "Manufacturer", "mpn": "Partnumber", "supplier_part": "LCSC Part #"},
        4, 4, [],
    ),
    "crkbd_corne_cherry_jlcpcb_bom.csv": (
        "csv", ",", 1,
        {"description": "Comment", "designators": "Designator", "footprint": "Footprint", "supplier_part": "LCSC"},
        21, 164, [],
    ),
    "eagle_bom_ulp_semicolon_quoted.csv": (
        "csv", ";", 1,
        {"value": "Value", "footprint": "Package", "description": "Description", "manufacturer": "MF",
         "mpn": "MPN", "designators": "Part"},
        15, 15, ["no_quantity"],  # "PW" (a supply symbol) is no designator and has no quantity
    ),
    "esp32_s3_box_v2.5_bom.xlsx": (
        "xlsx", "", 2,
        {"quantity": "Qty", "designators": "Reference", "value": "Value", "footprint": "PCB Footprint",
         "description": "Description", "manufacturer": "Manufacturer", "mpn": "Manufacturer Part #"},
        59, 207, [],
    ),
    "glasgow_revB_mouser_pipe_noheader.txt": (
        "csv", "|", None, {"mpn": "column 1", "quantity": "column 2", "designators": "column 3"},
        33, 102, ["empty_line"],  # "TBD|4|RN1 RN2 RN3 RN4": no part named
    ),
    "glasgow_revC3_kicad_xslt_bom.csv": (
        "csv", ",", 1,
        {"designators": "Reference", "quantity": "Quantity", "value": "Value", "footprint": "Footprint",
         "mpn": "MPN", "manufacturer": "Mfg", "dnp": "DNP"},
        53, 224, ["not_fitted"] * 4,  # 57 lines, 234 parts; 4 lines (10 parts) are DNP
    ),
    "kicost_test_423_semicolon_leading_zero.csv": ("csv", ";", 1, {"mpn": "manf#", "designators": "refs"}, 1, 1, []),
    "kicost_testparts_costing_preamble.csv": (
        "csv", ",", 5,
        {"designators": "Refs", "value": "Value", "description": "Desc", "footprint": "Footprint",
         "manufacturer": "Manf", "mpn": "Manf#", "quantity": "Qty"},
        7, 1000, ["no_quantity"] * 3,  # the currency-rate footer rows
    ),
    "npm1clickbom_empty_cells.xlsx": (
        "xlsx", "", 1,
        {"designators": "Reference", "quantity": "QTY", "manufacturer": "Manufacturer", "mpn": "Part Number"},
        27, 48, [],
    ),
    "npm1clickbom_kicad_quoted_dnp.csv": (
        "csv", ",", 1,
        {"designators": "Designator", "value": "Value", "quantity": "Qty", "footprint": "Package",
         "manufacturer": "Manufacturer", "mpn": "MPN", "description": "Description", "dnp": "DNP"},
        28, 53, ["not_fitted"] * 3,
    ),
}  # fmt: skip


def test_every_fixture_has_an_expectation():
    names = {p.name for p in FIXTURES.iterdir() if p.suffix in {".csv", ".txt", ".xlsx"}}
    assert names - {"atopile_jlcpcb_basic_parts.csv"} == set(FIXTURE_EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(FIXTURE_EXPECTATIONS))
def test_fixture_columns_lines_and_quantities(name):
    file_format, delimiter, header_row, columns, line_count, parts, problems = FIXTURE_EXPECTATIONS[name]
    parsed = parse_fixture(name)
    assert parsed.file_format == file_format
    assert parsed.delimiter == delimiter
    assert parsed.header_row == header_row
    assert parsed.columns == columns
    assert len(parsed.lines) == line_count
    assert sum(line.quantity for line in parsed.lines) == parts
    assert [p["code"] for p in parsed.problems] == problems
    for line in parsed.lines:
        assert line.quantity >= 1
        if line.designators and name != "kicost_testparts_costing_preamble.csv":  # KiCost's Qty is for 100 boards
            assert line.quantity == len(line.designators), (name, line)


def test_glasgow_grouped_references_and_unicode_minus():
    lines = parse_fixture("glasgow_revC3_kicad_xslt_bom.csv").lines
    first = lines[0]
    assert first.designators[:3] == ["C1", "C14", "C19"] and len(first.designators) == 14
    assert (first.mpn, first.manufacturer, first.value) == ("LMK107BJ475KAHT", "Taiyo Yuden", "4u7")
    assert "CAT24M01YI\u2212GT3" in {line.mpn for line in lines}


def test_crkbd_quantity_from_designators_and_lcsc_numbers():
    lines = parse_fixture("crkbd_corne_cherry_jlcpcb_bom.csv").lines
    capacitors = next(line for line in lines if line.supplier_part == "C1525")
    assert capacitors.quantity == 18 and capacitors.designators[-1] == "rC9"
    assert capacitors.description == "100n"


def test_esp32_alternates_stay_with_their_item():
    lines = parse_fixture("esp32_s3_box_v2.5_bom.xlsx").lines
    q1 = next(line for line in lines if line.mpn == "AOSS21311C")
    assert q1.designators == ["Q1"] and q1.quantity == 1
    assert [a["mpn"] for a in q1.alternates] == ["AO3401A", "AP2301B"]
    assert next(line for line in lines if line.mpn == "LBSS138LT1G").alternates[0]["mpn"] == "L2N7002SLT1G"
    assert "村田 Murata" in {line.manufacturer for line in lines}


def test_kicost_leading_zero_mpn_stays_a_string():
    (line,) = parse_fixture("kicost_test_423_semicolon_leading_zero.csv").lines
    assert line.mpn == "09551667812741" and line.designators == ["J6"]


def test_kicost_preamble_and_quantities():
    lines = parse_fixture("kicost_testparts_costing_preamble.csv").lines
    assert [line.quantity for line in lines] == [200, 200, 100, 200, 100, 100, 100]
    assert "STM32F205ZGT6" in {line.mpn for line in lines}


def test_npm_csv_dnp_column_and_comma_in_mpn():
    parsed = parse_fixture("npm1clickbom_kicad_quoted_dnp.csv")
    mpns = {line.mpn for line in parsed.lines}
    assert "PMEG3020EH,115" in mpns
    assert parsed.lines[0].designators == ["C4", "C3", "C2"]
    assert {p["row"] for p in parsed.problems} == {13, 17, 20}  # jumpers, R13, test points


def test_npm_xlsx_numbers_names_and_padding():
    lines = parse_fixture("npm1clickbom_empty_cells.xlsx").lines
    mpns = {line.mpn for line in lines}
    assert {"885012007030", "742792031", "ATMEGA32U4-AU"} <= mpns
    usb = lines[0]
    assert usb.designators == [] and usb.quantity == 1  # "USB Type A" is a name, not a designator
    assert "Würth Elektronik" in {line.manufacturer for line in lines}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("R1-R4, R7", ["R1", "R2", "R3", "R4", "R7"]),
        ("R1 - R3", ["R1", "R2", "R3"]),
        ("C1-3", ["C1", "C2", "C3"]),
        ("C4, C3, C2, ", ["C4", "C3", "C2"]),
        ("U4,rU4", ["U4", "rU4"]),
        ("", []),
        ("USB Type A", None),
    ],
)
def test_expand_designators(text, expected):
    assert expand_designators(text) == expected


@pytest.mark.parametrize("text", ["R4-R1", "R1-C4", "R1-R99999"])
def test_bad_designator_ranges_raise(text):
    with pytest.raises(ValueError):
        expand_designators(text)


@pytest.mark.parametrize(("text", "expected"), [("4", 4), ("4.0", 4), (" 12 pcs", 12), ("", None)])
def test_parse_quantity(text, expected):
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("text", ["abc", "-1", "0", "2.5", "99999999"])
def test_bad_quantities_raise(text):
    with pytest.raises(ValueError):
        parse_quantity(text)


def test_bad_lines_are_reported_and_never_abort():
    parsed = parse_text("MPN,Qty,Ref\nLM358DR,2,U1 U2\nNE555P,lots,U3\n,,\nBC547,,Q1-Q3\n,5,\n")
    assert [(line.mpn, line.quantity) for line in parsed.lines] == [("LM358DR", 2), ("BC547", 3)]
    assert [(p["row"], p["code"]) for p in parsed.problems] == [(3, "bad_quantity"), (6, "empty_line")]


def test_header_below_title_rows_and_aliases():
    text = "My board v2\nExported 2024-01-01\n\nMfr #,QUANTITY,Designators,Mfr,Supplier Part\nX1,1,U1,Acme,C123\n"
    parsed = parse_text(text)
    assert parsed.header_row == 4
    assert parsed.columns == {
        "mpn": "Mfr #", "quantity": "QUANTITY", "designators": "Designators", "manufacturer": "Mfr",
        "supplier_part": "Supplier Part",
    }  # fmt: skip
    line = parsed.lines[0]
    assert (line.mpn, line.manufacturer, line.supplier_part, line.quantity) == ("X1", "Acme", "C123", 1)


def test_utf8_bom_mark_windows_line_ends_and_tabs():
    text = "\ufeffPart Number\tQty\tReference\r\nGRM155R71C104KA88D\t2\tC1,C2\r\n"
    parsed = parse_bom(text.encode("utf-8"), **LIMITS)
    assert parsed.delimiter == "\t" and parsed.columns["mpn"] == "Part Number"
    assert parsed.lines[0].mpn == "GRM155R71C104KA88D" and parsed.lines[0].designators == ["C1", "C2"]


def test_latin1_fallback():
    parsed = parse_text("MPN;Qty;Value\nB57861S;1;10 k\u00b5 25\u00b0C\n", encoding="latin-1")
    assert parsed.lines[0].value == "10 kµ 25°C"


def test_quoted_fields_with_delimiters_and_newlines():
    parsed = parse_text('MPN,Qty,Description\n"A,B",1,"two\nlines"\n')
    assert parsed.lines[0].mpn == "A,B" and parsed.lines[0].description == "two\nlines"


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_formula_cells_are_kept_as_text():
    data = _xlsx([["MPN", "Qty", "Ref"], ['=HYPERLINK("http://evil","x")', 2, "R1,R2"], ["=1+1", "=2*3", "C1"]])
    parsed = parse_bom(data, **LIMITS)
    assert parsed.lines[0].mpn == '=HYPERLINK("http://evil","x")'
    assert [p["code"] for p in parsed.problems] == ["bad_quantity"]  # "=2*3" is not evaluated to 6


def test_csv_formula_text_is_never_evaluated():
    parsed = parse_text("MPN,Qty\n=cmd|' /C calc'!A0,1\n")
    assert parsed.lines[0].mpn == "=cmd|' /C calc'!A0"


def test_too_many_lines():
    rows = "".join(f"P{i},1\n" for i in range(30))
    with pytest.raises(ValidationError) as excinfo:
        parse_text("MPN,Qty\n" + rows, max_lines=20)
    assert excinfo.value.code == "too_many_lines"


def test_ten_thousand_columns():
    header = ",".join(["MPN", "Qty"] + [f"c{i}" for i in range(10_000)])
    with pytest.raises(ValidationError) as excinfo:
        parse_text(header + "\nX,1\n")
    assert excinfo.value.code == "too_many_columns"


def test_binary_junk_named_csv():
    junk = bytes(range(256)) * 40
    with pytest.raises(UnsupportedMediaType):
        parse_bom(junk, **LIMITS)
    with pytest.raises(UnsupportedMediaType):
        parse_bom(b"\x89PNG\r\n\x1a\n" + bytes([7, 8, 14, 15, 16, 17, 18, 19, 20] * 300), **LIMITS)


def test_zip_bomb_is_refused_from_the_directory():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < 200_000
    with pytest.raises(PayloadTooLarge):
        parse_bom(buffer.getvalue(), **LIMITS)


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(UnsupportedMediaType):
        parse_bom(buffer.getvalue(), **LIMITS)


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "empty_file"), (b"just some words\nno columns here\n", "no_header"), (b"MPN,Qty\n,\n", "no_lines")],
)
def test_files_without_parts(data, code):
    with pytest.raises(ValidationError) as excinfo:
        parse_bom(data, **LIMITS)
    assert excinfo.value.code == code
