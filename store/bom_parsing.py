"""BOM file parsing: CSV/text (any delimiter, any common encoding) and XLSX into lines, without touching the database.

What it accepts and how it decides (header aliases, designator ranges, DNP, alternates) is described in
``docs/store.md`` ("BOM import"). Every refusal of the whole file is a ``makrx.errors`` domain error (400, 413 or
415); a bad row never aborts the file, it is reported in ``ParsedBom.problems``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

from makrx.errors import PayloadTooLarge, UnsupportedMediaType, ValidationError

MAX_COLUMNS = 256
MAX_DESIGNATORS_PER_LINE = 2000
MAX_LINE_QUANTITY = 1_000_000
MAX_ZIP_ENTRIES = 2000
MAX_COMPRESSION_RATIO = 1000
HEADER_SEARCH_ROWS = 30
DELIMITERS = (",", ";", "\t", "|")
FIELD_LENGTHS = {"mpn": 200, "manufacturer": 200, "supplier_part": 100, "value": 200, "footprint": 200}
DESCRIPTION_LENGTH = 500

# Column aliases, compared after ``header_key`` (lowercase, only letters, digits and ``#``: "Mfr#" stays apart
# from "Mfr", which is the manufacturer).
FIELD_ALIASES: dict[str, set[str]] = {
    "mpn": {
        "mpn", "pn", "partnumber", "partno", "part#", "mfrpn", "mfr#", "mfrno", "manf#", "mfg#", "mfgpn",
        "mfrpart", "mfrpart#", "mfrpartnumber", "mfrpartno", "mfgpart", "mfgpart#", "mfgpartnumber",
        "manfpart#", "manfpartnumber", "manufacturerpartnumber", "manufacturerpart#", "manufacturerpart",
        "manufacturerpn", "manufacturerpartno", "manufacturerspartnumber",
    },
    "quantity": {"qty", "quantity", "count", "qnty", "qtyperboard", "qtyperpcb", "quantityperpcb", "amount"},
    "designators": {"ref", "refs", "reference", "references", "designator", "designators", "refdes", "refdess"},
    "manufacturer": {"manufacturer", "manufacturername", "mfr", "mfg", "manf", "mf", "maker"},
    "supplier_part": {
        "sku", "lcsc", "lcscpart", "lcscpart#", "lcscpartnumber", "lcscpn", "supplierpart", "supplierpart#",
        "supplierpartnumber", "supplierpn", "jlcpcbpart", "jlcpcbpart#",
    },
    "value": {"value", "val", "values"},
    "footprint": {"footprint", "package", "pcbfootprint", "case", "casepackage", "packagecase"},
    "description": {"description", "desc", "comment", "comments", "partdescription"},
    "dnp": {"dnp", "dnf", "donotplace", "donotpopulate", "nofit", "notfitted"},
}  # fmt: skip
# Used only when nothing better names the column: Eagle's "Part" column holds the designator.
WEAK_ALIASES = {"part": "designators", "parts": "designators"}
IDENTIFYING = {"mpn", "supplier_part", "value", "description"}
PLACEHOLDER_MPNS = {"", "TBD", "TBA", "N/A", "NA", "-", "--", "~", "?", "DNP", "DNF", "NONE", "UNKNOWN", "NC"}
DNP_WORDS = {"dnp", "dnf", "yes", "y", "x", "1", "true", "nofit", "notfitted", "donotplace", "donotpopulate"}

_DESIGNATOR = re.compile(r"^[A-Za-z_$][A-Za-z_$]*\d+[A-Za-z]?$")
_RANGE = re.compile(r"^([A-Za-z_$]+)(\d+)-([A-Za-z_$]*)(\d+)$")
_RANGE_DASHES = re.compile(r"\s*[-\u2013\u2014]\s*")
_SPLIT = re.compile(r"[,;\s]+")
_QUANTITY = re.compile(r"^\+?(\d+)(?:[.,]0*)?\s*(?:pcs?|x|ea)?$", re.IGNORECASE)


def header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9#]", "", str(text).lower())


@dataclass
class ParsedLine:
    source_row: int
    designators: list[str]
    quantity: int
    mpn: str = ""
    manufacturer: str = ""
    supplier_part: str = ""
    value: str = ""
    footprint: str = ""
    description: str = ""
    alternates: list[dict] = field(default_factory=list)


@dataclass
class ParsedBom:
    file_format: str
    delimiter: str
    header_row: int | None
    columns: dict[str, str]
    lines: list[ParsedLine]
    problems: list[dict]


# --------------------------------------------------------------------------------------------------------------
# designators and quantities


def expand_designators(text: str) -> list[str] | None:
    """``"R1-R4, R7"`` → ``["R1", "R2", "R3", "R4", "R7"]``; None when the text is not a designator list.

    Raises ``ValueError`` for a range that is backwards, mixes prefixes or expands past the per-line limit.
    """
    text = _RANGE_DASHES.sub("-", str(text).strip())
    if not text:
        return []
    result: list[str] = []
    for token in _SPLIT.split(text):
        if not token:
            continue
        if _DESIGNATOR.match(token):
            result.append(token)
            continue
        match = _RANGE.match(token)
        if not match:
            return None
        prefix, start, second_prefix, end = match.group(1), int(match.group(2)), match.group(3), int(match.group(4))
        if second_prefix and second_prefix != prefix:
            raise ValueError(f"Designator range {token} mixes prefixes.")
        if end < start or end - start >= MAX_DESIGNATORS_PER_LINE:
            raise ValueError(f"Designator range {token} is backwards or too long.")
        result.extend(f"{prefix}{number}" for number in range(start, end + 1))
        if len(result) > MAX_DESIGNATORS_PER_LINE:
            raise ValueError("Too many designators on one line.")
    if len(result) > MAX_DESIGNATORS_PER_LINE:
        raise ValueError("Too many designators on one line.")
    return result


def parse_quantity(text: str) -> int | None:
    """A positive whole count (``"4"``, ``"4.0"``, ``"4 pcs"``); None when empty; ``ValueError`` when not a count."""
    text = str(text).strip()
    if not text:
        return None
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(f"Quantity {text[:40]!r} is not a whole number.")
    quantity = int(match.group(1))
    if quantity < 1:
        raise ValueError("Quantity must be at least 1.")
    if quantity > MAX_LINE_QUANTITY:
        raise ValueError(f"Quantity must be at most {MAX_LINE_QUANTITY}.")
    return quantity


# --------------------------------------------------------------------------------------------------------------
# reading files into rows of strings


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnsupportedMediaType("The file is not readable text.", code="unsupported_file") from exc
    if b"\x00" in data[:65536]:
        raise UnsupportedMediaType("The file is binary, not a CSV or text BOM.", code="unsupported_file")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    sample = text[:65536]
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\r\n\f\v") or 0x7F <= ord(ch) <= 0x9F)
    if sample and controls > max(2, len(sample) // 100):
        raise UnsupportedMediaType("The file is binary, not a CSV or text BOM.", code="unsupported_file")
    return text


def _reader(text: str, delimiter: str):
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True, strict=False)


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first rows into the most consistent number (>1) of fields."""
    sample = text[:65536]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = []
        try:
            for index, row in enumerate(_reader(sample, delimiter)):
                if index >= 60:
                    break
                if any(cell.strip() for cell in row):
                    counts.append(len(row))
        except csv.Error:
            continue
        multi = [count for count in counts if count > 1]
        if not multi:
            continue
        width, frequency = Counter(multi).most_common(1)[0]
        score = (frequency, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _trimmed(row: list[str]) -> list[str]:
    row = [str(cell).strip() for cell in row]
    while row and not row[-1]:
        row.pop()
    return row


def _check_width(row: list[str]) -> None:
    if len(row) > MAX_COLUMNS:
        raise ValidationError(f"A row has more than {MAX_COLUMNS} columns.", code="too_many_columns")


def read_csv_rows(data: bytes, *, max_rows: int) -> tuple[list[list[str]], str]:
    text = _decode(data)
    delimiter = _sniff_delimiter(text)
    rows: list[list[str]] = []
    filled = 0
    try:
        for row in _reader(text, delimiter):
            row = _trimmed(row)
            _check_width(row)
            rows.append(row)
            filled += bool(row)
            if filled > max_rows:
                raise ValidationError("The file has too many rows.", code="too_many_lines")
    except csv.Error as exc:
        raise ValidationError(f"The CSV could not be read: {exc}.", code="malformed_file") from exc
    return rows, delimiter


def _check_zip(data: bytes, *, max_uncompressed: int) -> None:
    """Refuse zip bombs by the directory's declared sizes, before any XML is inflated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnsupportedMediaType("The file is not a readable XLSX workbook.", code="unsupported_file") from exc
    if len(infos) > MAX_ZIP_ENTRIES:
        raise UnsupportedMediaType("The workbook has too many parts.", code="unsupported_file")
    total = sum(info.file_size for info in infos)
    if total > max_uncompressed:
        raise PayloadTooLarge(
            f"The workbook would expand to {total // (1024 * 1024)} MB; the limit is "
            f"{max_uncompressed // (1024 * 1024)} MB.",
            code="too_large",
        )
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise PayloadTooLarge("The workbook is compressed suspiciously well (zip bomb?).", code="too_large")
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        raise UnsupportedMediaType("The zip file is not an XLSX workbook.", code="unsupported_file")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(value, "g")
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)  # formulas stay their text ("=A1*2"): read with data_only=False, never evaluated


def read_xlsx_sheets(data: bytes, *, max_rows: int, max_uncompressed: int) -> list[list[list[str]]]:
    """Each sheet's rows as strings (openpyxl read-only; the declared dimension is ignored, trailing blanks cut)."""
    _check_zip(data, max_uncompressed=max_uncompressed)
    import openpyxl

    sheets = []
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            for sheet in workbook.worksheets[:20]:
                if not hasattr(sheet, "iter_rows"):
                    continue  # chartsheets
                sheet.reset_dimensions()  # "A1:AMJ31" claims must not pad every row to 1024 cells
                rows, filled = [], 0
                for raw in sheet.iter_rows(values_only=True):
                    row = _trimmed([_cell_text(value) for value in raw[: MAX_COLUMNS + 1]])
                    _check_width(row)
                    rows.append(row)
                    filled += bool(row)
                    if filled > max_rows:
                        raise ValidationError("The sheet has too many rows.", code="too_many_lines")
                    if len(rows) > max_rows * 4 + 10_000:
                        break  # thousands of empty row elements: nothing more worth reading
                sheets.append(rows)
        finally:
            workbook.close()
    except (ValidationError, PayloadTooLarge):
        raise
    except Exception as exc:  # noqa: BLE001 - any openpyxl/XML failure is a bad file, not a server error
        raise UnsupportedMediaType("The file is not a readable XLSX workbook.", code="unsupported_file") from exc
    return sheets


# --------------------------------------------------------------------------------------------------------------
# header and columns


def _columns_of(row: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        key = header_key(cell)
        for name, aliases in FIELD_ALIASES.items():
            if key in aliases and name not in columns:
                columns[name] = index
    for index, cell in enumerate(row):
        name = WEAK_ALIASES.get(header_key(cell))
        if name and name not in columns:
            columns[name] = index
    return columns


def find_header(rows: list[list[str]]) -> tuple[int | None, dict[str, int]]:
    """The index of the row naming the most known columns (at least two, one identifying the part)."""
    best_index, best_columns, best_score = None, {}, 1
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = _columns_of(row)
        score = len(set(columns) - {"dnp"})
        if score > best_score and set(columns) & IDENTIFYING:
            best_index, best_columns, best_score = index, columns, score
    return best_index, best_columns


def _looks_like_quantity(value: str) -> bool:
    try:
        return parse_quantity(value) is not None
    except ValueError:
        return False


def _looks_like_designators(value: str) -> bool:
    try:
        return bool(expand_designators(value))
    except ValueError:
        return False


def infer_columns(rows: list[list[str]]) -> dict[str, int]:
    """No header (Mouser's ``MPN|Qty|Refs`` upload format): columns guessed from what the first rows hold."""
    sample = [row for row in rows if row][:25]
    width = max((len(row) for row in sample), default=0)
    columns: dict[str, int] = {}
    for index in range(width):
        values = [row[index] for row in sample if index < len(row) and row[index]]
        if not values:
            continue
        if "quantity" not in columns and all(_looks_like_quantity(v) for v in values):
            columns["quantity"] = index
        elif "designators" not in columns and all(_looks_like_designators(v) for v in values):
            columns["designators"] = index
        elif "mpn" not in columns:
            columns["mpn"] = index
    if "mpn" not in columns or not ({"quantity", "designators"} & set(columns)):
        raise ValidationError(
            "No header row found: name the columns (for example MPN, Qty, Reference).", code="no_header"
        )
    return columns


# --------------------------------------------------------------------------------------------------------------
# rows into lines


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return row[index].strip() if index is not None and index < len(row) else ""


def _problem(row_number: int, code: str, message: str) -> dict:
    return {"row": row_number, "code": code, "message": message}


def rows_to_lines(
    rows: list[list[str]], *, header_index: int | None, columns: dict[str, int], max_lines: int
) -> tuple[list[ParsedLine], list[dict]]:
    lines: list[ParsedLine] = []
    problems: list[dict] = []
    alternates_allowed = "quantity" in columns and "designators" in columns
    start = 0 if header_index is None else header_index + 1
    for index in range(start, len(rows)):
        row, row_number = rows[index], index + 1
        values = {name: _cell(row, columns, name) for name in columns}
        if not any(values.values()):
            continue
        mpn = values.get("mpn", "")
        if mpn.upper() in PLACEHOLDER_MPNS:
            mpn = ""
        fields = {
            "mpn": mpn[: FIELD_LENGTHS["mpn"]],
            "manufacturer": values.get("manufacturer", "")[: FIELD_LENGTHS["manufacturer"]],
            "supplier_part": values.get("supplier_part", "")[: FIELD_LENGTHS["supplier_part"]],
            "value": values.get("value", "")[: FIELD_LENGTHS["value"]],
            "footprint": values.get("footprint", "")[: FIELD_LENGTHS["footprint"]],
            "description": values.get("description", "")[:DESCRIPTION_LENGTH],
        }
        reference, quantity_text = values.get("designators", ""), values.get("quantity", "")
        if alternates_allowed and lines and not reference and not quantity_text and fields["mpn"]:
            # A row under a line with no item, quantity or references of its own: an alternate part for it.
            lines[-1].alternates.append({"mpn": fields["mpn"], "manufacturer": fields["manufacturer"]})
            continue
        try:
            designators = expand_designators(reference)
            quantity = parse_quantity(quantity_text)
        except ValueError as exc:
            code = "bad_designators" if "esignator" in str(exc) else "bad_quantity"
            problems.append(_problem(row_number, code, str(exc)))
            continue
        if designators is None:
            designators = []  # a name ("USB Type A") instead of references: kept out of the designator list
        dnp = values.get("dnp", "")
        if dnp:
            if header_key(dnp) in DNP_WORDS:
                problems.append(_problem(row_number, "not_fitted", "Marked do-not-place."))
                continue
            try:
                unfitted = set(expand_designators(dnp) or [])
            except ValueError:
                unfitted = set()
            if unfitted:
                fitted = [d for d in designators if d not in unfitted]
                if not fitted:
                    problems.append(_problem(row_number, "not_fitted", "Every designator is marked do-not-place."))
                    continue
                if quantity is not None and quantity == len(designators):
                    quantity = len(fitted)
                designators = fitted
        if quantity is None:
            if not designators:
                problems.append(_problem(row_number, "no_quantity", "No quantity and no designators to count."))
                continue
            quantity = len(designators)
        if not (fields["mpn"] or fields["supplier_part"] or fields["value"] or fields["description"]):
            problems.append(_problem(row_number, "empty_line", "No part number, value or description."))
            continue
        lines.append(ParsedLine(source_row=row_number, designators=designators, quantity=quantity, **fields))
        if len(lines) > max_lines:
            raise ValidationError(f"The BOM has more than {max_lines} lines.", code="too_many_lines")
    return lines, problems


def parse_bom(data: bytes, *, max_lines: int, max_uncompressed: int) -> ParsedBom:
    """Parse a BOM file's bytes (the type is taken from the content, not the name)."""
    if not data.strip():
        raise ValidationError("The file is empty.", code="empty_file")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedMediaType(
            "Old binary Excel (.xls) files are not read; save the sheet as XLSX or CSV.", code="unsupported_file"
        )
    max_rows = max_lines + 500  # preamble and footer rows around the data
    if data.startswith(b"PK\x03\x04"):
        sheets = read_xlsx_sheets(data, max_rows=max_rows, max_uncompressed=max_uncompressed)
        if not any(any(row for row in rows) for rows in sheets):
            raise ValidationError("The workbook has no filled cells.", code="empty_file")
        chosen = next(((rows, *find_header(rows)) for rows in sheets if find_header(rows)[0] is not None), None)
        if chosen is None:
            rows = next(rows for rows in sheets if any(rows))
            chosen = (rows, None, infer_columns(rows))
        rows, header_index, columns = chosen
        file_format, delimiter = "xlsx", ""
    else:
        rows, delimiter = read_csv_rows(data, max_rows=max_rows)
        header_index, columns = find_header(rows)
        if header_index is None:
            columns = infer_columns(rows)
        file_format = "csv"
    lines, problems = rows_to_lines(rows, header_index=header_index, columns=columns, max_lines=max_lines)
    header = rows[header_index] if header_index is not None else []
    named = {
        name: (header[index] if index < len(header) else f"column {index + 1}") if header else f"column {index + 1}"
        for name, index in columns.items()
    }
    if not lines:
        raise ValidationError(
            "No part lines were found in the file.",
            code="no_lines",
            errors={"file": [p["message"] for p in problems[:20]]},
        )
    return ParsedBom(
        file_format=file_format,
        delimiter=delimiter,
        header_row=None if header_index is None else header_index + 1,
        columns=named,
        lines=lines,
        problems=problems,
    )
