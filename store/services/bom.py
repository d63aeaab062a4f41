"""BOM imports: upload → parsed, mapped and stored lines; manual mapping of a line; the mapped lines into a cart.

Who may act: anyone may upload (an anonymous upload belongs to the cart token that made it); the owner (or that
token) and store staff may read an import, fix a line's mapping and put it in *their own* cart; re-mapping a whole
import (admin action) is for store staff.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from makrx.errors import ConflictError, NotFound, PayloadTooLarge, PermissionDenied, ValidationError
from store.bom_parsing import parse_bom
from store.models import BomImport, BomLine, Cart, CartItem, Product
from store.selectors.bom import bom_import_get
from store.services import SYSTEM, require_store_staff
from store.services import cart as cart_services
from store.services.bom_mapping import LineMatch, LineQuery, candidate_data, map_lines

MAX_BOARD_QUANTITY = 10_000
STATUSES = [choice for choice, _ in BomLine.Status.choices]


def bom_max_bytes() -> int:
    return int(settings.STORE_BOM_MAX_FILE_MB * 1024 * 1024)


def _require_actor(actor) -> None:
    if actor is None:
        raise PermissionDenied("An acting user (or the anonymous caller) is required.", code="actor_required")


def _available(product: Product) -> int:
    stock = getattr(product, "stock", None)
    return stock.available if stock is not None else 0


def _status_with_stock(match: LineMatch, *, needed: int) -> str:
    if match.status == "mapped" and match.product is not None and _available(match.product) < needed:
        return BomLine.Status.OUT_OF_STOCK
    return match.status


def _query(line) -> LineQuery:
    return LineQuery(
        mpn=line.mpn,
        manufacturer=line.manufacturer,
        supplier_part=line.supplier_part,
        value=line.value,
        footprint=line.footprint,
        description=line.description,
        alternates=list(line.alternates),
    )


def _clean_file_name(name: str | None) -> str:
    """The client's file name as a label: no path, no control characters (PostgreSQL refuses NUL), 255 at most."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255] or "bom"


def bom_summary(*, lines, board_quantity: int, problems: list) -> dict:
    counts = Counter(line.status for line in lines)
    return {
        "lines": len(lines),
        **{status: counts.get(status, 0) for status in STATUSES},
        "board_quantity": board_quantity,
        "parts_per_board": sum(line.quantity for line in lines),
        "problems": len(problems),
    }


def bom_import_create(
    *, actor, cart_token: str | None, file_name: str, data: bytes, board_quantity: int = 1
) -> BomImport:
    """Parse, map and keep a BOM. 413 over STORE_BOM_MAX_FILE_MB (or an XLSX expanding past
    STORE_BOM_MAX_UNCOMPRESSED_MB), 415 for a file that is not text or XLSX, 400 for a file without part lines or
    with more than STORE_BOM_MAX_LINES. Nothing is stored unless the whole import is."""
    _require_actor(actor)
    if not 1 <= board_quantity <= MAX_BOARD_QUANTITY:
        raise ValidationError(
            f"board_quantity must be between 1 and {MAX_BOARD_QUANTITY}.", errors={"board_quantity": ["Out of range."]}
        )
    if len(data) > bom_max_bytes():
        raise PayloadTooLarge(f"The file is over the {settings.STORE_BOM_MAX_FILE_MB:g} MB limit.", code="too_large")
    parsed = parse_bom(
        data,
        max_lines=settings.STORE_BOM_MAX_LINES,
        max_uncompressed=int(settings.STORE_BOM_MAX_UNCOMPRESSED_MB * 1024 * 1024),
    )
    user = actor if getattr(actor, "is_authenticated", False) and actor is not SYSTEM else None
    matches = map_lines([_query(line) for line in parsed.lines])
    with transaction.atomic():
        cart = None
        if user is None and actor is not SYSTEM:
            cart = cart_services.cart_resolve(user=actor, token=cart_token)  # the anonymous owner: its cart token
        bom_import = BomImport.objects.create(
            user=user,
            cart=cart,
            file_name=_clean_file_name(file_name),
            file_format=parsed.file_format,
            file_size=len(data),
            file_sha256=hashlib.sha256(data).hexdigest(),
            board_quantity=board_quantity,
            delimiter=parsed.delimiter,
            header_row=parsed.header_row,
            columns=parsed.columns,
            problems=parsed.problems[:500],
        )
        lines = [
            BomLine(
                bom_import=bom_import,
                line=number,
                source_row=parsed_line.source_row,
                designators=parsed_line.designators,
                quantity=parsed_line.quantity,
                mpn=parsed_line.mpn,
                manufacturer=parsed_line.manufacturer,
                supplier_part=parsed_line.supplier_part,
                value=parsed_line.value,
                footprint=parsed_line.footprint,
                description=parsed_line.description,
                alternates=parsed_line.alternates,
                status=_status_with_stock(match, needed=parsed_line.quantity * board_quantity),
                method=match.method,
                product=match.product,
                confidence=round(max(0.0, min(1.0, match.confidence)), 3),
                candidates=match.candidates,
            )
            for number, (parsed_line, match) in enumerate(zip(parsed.lines, matches, strict=True), start=1)
        ]
        BomLine.objects.bulk_create(lines, batch_size=500)
        bom_import.summary = bom_summary(lines=lines, board_quantity=board_quantity, problems=parsed.problems)
        bom_import.save(update_fields=["summary", "updated_at"])
    return bom_import


def _editable_import(*, actor, cart_token: str | None, import_id: int) -> BomImport:
    _require_actor(actor)
    user = actor if actor is not SYSTEM else None
    if actor is SYSTEM:
        bom_import = BomImport.objects.select_for_update().filter(pk=import_id).first()
        if bom_import is None:
            raise NotFound("No such BOM import.", code="bom_import_not_found")
        return bom_import
    return bom_import_get(import_id=import_id, user=user, cart_token=cart_token, lock=True)


def _refresh_summary(bom_import: BomImport) -> None:
    lines = list(bom_import.lines.all())
    bom_import.summary = bom_summary(
        lines=lines, board_quantity=bom_import.board_quantity, problems=bom_import.problems
    )
    bom_import.save(update_fields=["summary", "updated_at"])


@transaction.atomic
def bom_line_map(*, actor, cart_token: str | None, import_id: int, line_number: int, product_id: int) -> BomLine:
    """A person's choice for one line: mapped (or out_of_stock) to an active product, confidence 1."""
    bom_import = _editable_import(actor=actor, cart_token=cart_token, import_id=import_id)
    line = BomLine.objects.select_for_update().filter(bom_import=bom_import, line=line_number).first()
    if line is None:
        raise NotFound("No such line in this import.", code="bom_line_not_found")
    product = Product.objects.select_related("stock", "brand").filter(pk=product_id, active=True).first()
    if product is None:
        raise ValidationError(
            "No active product with that id.", code="product_not_found", errors={"product": ["Unknown."]}
        )
    needed = line.quantity * bom_import.board_quantity
    line.product = product
    line.method = BomLine.Method.MANUAL
    line.confidence = 1.0
    line.status = BomLine.Status.OUT_OF_STOCK if _available(product) < needed else BomLine.Status.MAPPED
    if all(c.get("product") != product.pk for c in line.candidates):
        line.candidates = [candidate_data(product, 1.0), *line.candidates][:6]
    line.save(update_fields=["product", "method", "confidence", "status", "candidates", "updated_at"])
    _refresh_summary(bom_import)
    return line


@transaction.atomic
def bom_import_remap(*, actor, bom_import: BomImport) -> BomImport:
    """Map every line again against today's catalog and stock (store staff); manual choices are kept."""
    require_store_staff(actor, action="re-map BOM imports")
    bom_import = BomImport.objects.select_for_update().get(pk=bom_import.pk)
    lines = list(bom_import.lines.exclude(method=BomLine.Method.MANUAL).order_by("line"))
    matches = map_lines([_query(line) for line in lines])
    for line, match in zip(lines, matches, strict=True):
        line.status = _status_with_stock(match, needed=line.quantity * bom_import.board_quantity)
        line.method, line.product = match.method, match.product
        line.confidence = round(max(0.0, min(1.0, match.confidence)), 3)
        line.candidates = match.candidates
    BomLine.objects.bulk_update(lines, ["status", "method", "product", "confidence", "candidates", "updated_at"])
    for line in bom_import.lines.filter(method=BomLine.Method.MANUAL).select_related("product__stock"):
        status = BomLine.Status.MAPPED
        if line.product is None or not line.product.active:
            status = BomLine.Status.UNMATCHED
        elif _available(line.product) < line.quantity * bom_import.board_quantity:
            status = BomLine.Status.OUT_OF_STOCK
        if status != line.status:
            line.status = status
            line.save(update_fields=["status", "updated_at"])
    _refresh_summary(bom_import)
    return bom_import


def bom_import_add_to_cart(*, actor, cart_token: str | None, import_id: int) -> tuple[BomImport, object, dict]:
    """Every mapped (or out-of-stock mapped) line × board quantity into the caller's own cart, as much as stock
    allows; the rest is reported as short. Ambiguous and unmatched lines are listed as skipped.

    Returns (import, cart, result) with result ``{added: [...], short: [...], skipped: [...]}``.
    """
    _require_actor(actor)
    if actor is SYSTEM:
        raise PermissionDenied("Only a customer's request has a cart to fill.")
    with transaction.atomic():
        bom_import = _editable_import(actor=actor, cart_token=cart_token, import_id=import_id)
        cart = cart_services.cart_resolve(user=actor, token=cart_token)
        # Lock the cart before reading what it holds: two imports filling one cart then take turns, and each sees
        # the other's lines when it works out the room left.
        Cart.objects.select_for_update().filter(pk=cart.pk).first()
        added, short, skipped = [], [], []
        lines = list(bom_import.lines.select_related("product__stock").order_by("line"))
        in_cart = dict(CartItem.objects.filter(cart=cart).values_list("product_id", "quantity"))
        for line in lines:
            if line.product is None or line.status not in (BomLine.Status.MAPPED, BomLine.Status.OUT_OF_STOCK):
                skipped.append({"line": line.line, "status": line.status, "mpn": line.mpn})
                continue
            wanted = line.quantity * bom_import.board_quantity
            room = min(
                _available(line.product) - in_cart.get(line.product_id, 0),
                cart_services.MAX_LINE_QUANTITY - in_cart.get(line.product_id, 0),
            )
            quantity = max(0, min(wanted, room))
            reason = "out_of_stock"
            if wanted > cart_services.MAX_LINE_QUANTITY and _available(line.product) >= wanted:
                reason = "line_limit"  # the cart takes at most MAX_LINE_QUANTITY of one product
            if quantity:
                try:
                    with transaction.atomic():
                        cart_services.cart_item_add(
                            actor=actor, cart=cart, product_id=line.product_id, quantity=quantity
                        )
                    in_cart[line.product_id] = in_cart.get(line.product_id, 0) + quantity
                except (ConflictError, ValidationError, NotFound) as exc:
                    reason, quantity = exc.code, 0
            entry = {"line": line.line, "product": line.product_id, "sku": line.product.sku, "wanted": wanted}
            if quantity:
                added.append({**entry, "quantity": quantity})
            if quantity < wanted:
                short.append({**entry, "missing": wanted - quantity, "reason": reason})
        result = {"added": added, "short": short, "skipped": skipped}
        bom_import.cart_result = result
        bom_import.added_to_cart_at = timezone.now()
        bom_import.save(update_fields=["cart_result", "added_to_cart_at", "updated_at"])
    return bom_import, cart, result
