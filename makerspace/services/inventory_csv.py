"""CSV import and export of inventory items, and the streaming CSV export of the stock ledger.

Import is all or nothing: every row is validated first and the errors name each bad row (``row 3``: the
file's line number, header = line 1); only a clean file is written, in one transaction. The columns are the
export's, so an exported file imports back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.db import transaction

from makerspace.models import InventoryItem, Makerspace, StockMovement
from makerspace.selectors import inventory as inventory_selectors
from makerspace.services import inventory as inventory_services
from makrx.auth import scoping
from makrx.errors import PayloadTooLarge, UnsupportedMediaType, ValidationError

# The item fields the service writes, plus the on-hand quantity (the opening stock of a new SKU).
COLUMNS = (*inventory_services.ITEM_FIELDS, "quantity")
REQUIRED = ("sku", "name")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000
MAX_ROW_ERRORS = 500
LEDGER_COLUMNS = (
    "id",
    "created_at",
    "sku",
    "name",
    "unit",
    "kind",
    "quantity",
    "quantity_before",
    "quantity_after",
    "counted_quantity",
    "reason",
    "reference",
    "transfer_group",
    "actor",
)
TRUE, FALSE = {"true", "1", "yes", "y"}, {"false", "0", "no", "n"}
LIMITS = {"sku": 64, "name": 200, "category": 100, "location": 200, "supplier_name": 200, "store_sku": 64}


def _safe_cell(value) -> str:
    """Text a spreadsheet will not run as a formula (CSV injection: a leading =, +, -, @)."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r" and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _decode(data: bytes) -> list[dict]:
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge(f"A CSV import holds at most {MAX_BYTES // (1024 * 1024)} MB.")
    if b"\x00" in data:
        raise UnsupportedMediaType("This is not a CSV text file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnsupportedMediaType("The CSV must be UTF-8 text.")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if not header:
        raise ValidationError("The file is empty.", errors={"file": ["No header row."]})
    unknown = sorted(set(header) - set(COLUMNS))
    missing = [name for name in REQUIRED if name not in header]
    if unknown or missing or len(set(header)) != len(header):
        problems = []
        if missing:
            problems.append(f"missing columns: {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown columns: {', '.join(unknown)}")
        if len(set(header)) != len(header):
            problems.append("a column appears twice")
        raise ValidationError("The header row is not valid.", errors={"header": problems})
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise PayloadTooLarge(f"A CSV import holds at most {MAX_ROWS} rows.")
            if None in row:
                row["__extra__"] = row.pop(None)
            rows.append(row)
    except csv.Error as exc:
        raise ValidationError("The CSV is malformed.", errors={"file": [str(exc)]})
    return rows


def _row_fields(row: dict) -> tuple[dict, list[str]]:
    """A row's item fields (blank cells mean "default" for a new item, "keep" for an existing one)."""
    problems = []
    if "__extra__" in row:
        problems.append("more cells than columns")
    fields = {}
    for name in COLUMNS:
        value = (row.get(name) or "").strip()
        if name in LIMITS and len(value) > LIMITS[name]:
            problems.append(f"{name}: at most {LIMITS[name]} characters")
            continue
        if value == "":
            if name == "reorder_quantity" and name in row:
                fields[name] = None
            continue
        if name == "active":
            if value.lower() not in TRUE | FALSE:
                problems.append("active: give true or false")
                continue
            fields[name] = value.lower() in TRUE
        elif name == "currency":
            if len(value) != 3 or not value.isalpha() or not value.isupper():
                problems.append("currency: a 3-letter code such as INR")
                continue
            fields[name] = value
        else:
            fields[name] = value
    for name in REQUIRED:
        if not fields.get(name):
            problems.append(f"{name}: required")
    return fields, problems


@transaction.atomic
def items_import_csv(*, actor, makerspace: Makerspace, data: bytes | None) -> dict:
    """Create or update the makerspace's items from a CSV, all rows or none (400 naming every bad row).

    A new SKU is created (its ``quantity`` recorded as opening stock); an existing SKU is updated, and a
    ``quantity`` that differs from the stock on hand is recorded as a stocktake.
    """
    scoping.makerspace_staff_require(user=actor, makerspace_id=makerspace.pk)
    if data is None:
        raise ValidationError("Attach the CSV file.", errors={"file": ["Required."]})
    rows = _decode(data)
    if not rows:
        raise ValidationError("The file has no rows.", errors={"file": ["No rows under the header."]})
    existing = {item.sku: item for item in InventoryItem.objects.filter(makerspace=makerspace).select_for_update()}
    errors: dict[str, list[str]] = {}
    plans = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        fields, problems = _row_fields(row)
        sku = fields.get("sku")
        if sku in seen:
            problems.append(f"sku: {sku} also on row {seen[sku]}")
        elif sku:
            seen[sku] = line
        quantity = fields.pop("quantity", None)
        if not problems:
            try:
                inventory_services.item_fields_validate(dict(fields))
                if quantity is not None:
                    quantity = inventory_services.quantity_parse(quantity, allow_zero=True)
            except ValidationError as exc:
                problems.extend(f"{name}: {' '.join(messages)}" for name, messages in (exc.errors or {}).items())
        if problems:
            if len(errors) < MAX_ROW_ERRORS:
                errors[f"row {line}"] = problems
            continue
        plans.append((fields, quantity))
    if errors:
        raise ValidationError(
            f"{len(errors)} row(s) are not valid; nothing was imported.", code="invalid_rows", errors=errors
        )
    created = updated = 0
    for fields, quantity in plans:
        item = existing.get(fields["sku"])
        if item is None:
            inventory_services.item_create(actor=actor, makerspace=makerspace, quantity=quantity, **fields)
            created += 1
            continue
        item = inventory_services.item_update(actor=actor, item=item, **fields)
        if quantity is not None and quantity != item.quantity:
            inventory_services.movement_record(
                actor=actor,
                item=item,
                kind=StockMovement.Kind.STOCKTAKE,
                quantity=quantity,
                reason="CSV import",
            )
        updated += 1
    return {"created": created, "updated": updated}


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """CSV text, one line at a time (for a streaming response); cells made safe for spreadsheets."""
    writer = csv.writer(_Echo())
    yield writer.writerow(list(header))
    for row in rows:
        yield writer.writerow([_safe_cell(value) for value in row])


def items_export_rows(*, actor, makerspace: Makerspace) -> Iterator[list]:
    """The makerspace's items in the import's columns (staff only)."""
    scoping.makerspace_staff_require(user=actor, makerspace_id=makerspace.pk)
    for item in inventory_selectors.item_export_rows(makerspace_id=makerspace.pk):
        yield [
            item.sku,
            item.name,
            item.category,
            item.unit,
            item.location,
            item.supplier,
            item.supplier_name,
            item.unit_cost,
            item.currency,
            item.reorder_level,
            "" if item.reorder_quantity is None else item.reorder_quantity,
            item.access_level,
            item.store_sku,
            "true" if item.active else "false",
            item.quantity,
        ]


def ledger_export_check(*, actor, makerspace: Makerspace) -> None:
    """Only the makerspace's staff export its ledger (checked before the streaming response starts)."""
    scoping.makerspace_staff_require(user=actor, makerspace_id=makerspace.pk)
