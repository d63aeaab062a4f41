"""QR code labels of inventory items: one PNG per item and an A4 sheet of labels (PDF) to print, made with
``qrcode`` and Pillow.

The code holds ``MAKRX-INV:<makerspace id>:<sku>``, which a scanner (or the front end) resolves to the item
without a host name that would change between deployments.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import qrcode
from PIL import Image, ImageDraw, ImageFont

from makerspace.models import InventoryItem
from makrx.auth import scoping
from makrx.errors import ValidationError

LABEL_SIZE = (600, 300)  # pixels at 300 dpi: 50.8 × 25.4 mm
SHEET_SIZE = (2480, 3508)  # A4 at 300 dpi
SHEET_MARGIN = 100
MAX_SHEET_ITEMS = 400


def label_payload(item: InventoryItem) -> str:
    return f"MAKRX-INV:{item.makerspace_id}:{item.sku}"


def _qr_image(payload: str, size: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=1, box_size=10)
    code.add_data(payload)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("L").resize((size, size))


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label_image(item: InventoryItem) -> Image.Image:
    width, height = LABEL_SIZE
    image = Image.new("L", LABEL_SIZE, 255)
    qr_side = height - 20
    image.paste(_qr_image(label_payload(item), qr_side), (10, 10))
    draw = ImageDraw.Draw(image)
    big, small = ImageFont.load_default(size=34), ImageFont.load_default(size=24)
    x = qr_side + 30
    draw.text((x, 30), _fit(item.sku, 16), font=big, fill=0)
    draw.text((x, 90), _fit(item.name, 20), font=small, fill=0)
    if item.location:
        draw.text((x, 130), _fit(item.location, 20), font=small, fill=0)
    draw.text((x, height - 60), f"unit: {item.unit}", font=small, fill=0)
    draw.rectangle([0, 0, width - 1, height - 1], outline=0, width=2)
    return image


def item_label_png(*, actor, item: InventoryItem) -> bytes:
    """One item's label as PNG (members of the space may print it)."""
    scoping.makerspace_member_require(user=actor, makerspace_id=item.makerspace_id)
    buffer = io.BytesIO()
    _label_image(item).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def items_label_sheet_pdf(*, actor, items: Sequence[InventoryItem]) -> bytes:
    """A4 pages of labels (3 × 10 per page) for printing; staff of every item's makerspace only."""
    if not items:
        raise ValidationError("Choose at least one item.")
    if len(items) > MAX_SHEET_ITEMS:
        raise ValidationError(f"At most {MAX_SHEET_ITEMS} labels per sheet.")
    for makerspace_id in {item.makerspace_id for item in items}:
        scoping.makerspace_staff_require(user=actor, makerspace_id=makerspace_id)
    columns = (SHEET_SIZE[0] - 2 * SHEET_MARGIN) // (LABEL_SIZE[0] + 20)
    rows = (SHEET_SIZE[1] - 2 * SHEET_MARGIN) // (LABEL_SIZE[1] + 20)
    per_page = columns * rows
    pages = []
    for start in range(0, len(items), per_page):
        page = Image.new("L", SHEET_SIZE, 255)
        for index, item in enumerate(items[start : start + per_page]):
            row, column = divmod(index, columns)
            x = SHEET_MARGIN + column * (LABEL_SIZE[0] + 20)
            y = SHEET_MARGIN + row * (LABEL_SIZE[1] + 20)
            page.paste(_label_image(item), (x, y))
        pages.append(page)
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", resolution=300.0, save_all=True, append_images=pages[1:])
    return buffer.getvalue()
