"""BOM imports: an uploaded bill of materials, its parsed lines with their catalog mapping, and the supplier
part numbers (LCSC, Digi-Key, …) that products are known by."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from makrx.models import TimeStampedModel
from store.partnumbers import normalize_mpn


class SupplierPartNumber(TimeStampedModel):
    """A distributor's number for a product (``C1525`` at LCSC). A BOM line naming it maps exactly, like a SKU."""

    product = models.ForeignKey("store.Product", on_delete=models.CASCADE, related_name="supplier_parts")
    supplier = models.CharField(max_length=50, help_text="Distributor, e.g. LCSC, Digi-Key, Mouser.")
    part_number = models.CharField(max_length=100)
    part_number_normalized = models.CharField(max_length=100, db_index=True, editable=False)

    class Meta:
        ordering = ["supplier", "part_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "part_number_normalized"], name="store_supplierpart_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} {self.part_number}"

    def save(self, *args, **kwargs):
        self.part_number_normalized = normalize_mpn(self.part_number)
        super().save(*args, **kwargs)


class BomImport(TimeStampedModel):
    """One uploaded BOM, kept with its file name, the columns found, its lines and what went to a cart.

    Owned by the signed-in user who uploaded it, or (anonymous upload) by the cart whose ``X-Cart-Token`` made it.
    """

    class Format(models.TextChoices):
        CSV = "csv", "CSV / text"
        XLSX = "xlsx", "Excel (XLSX)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="bom_imports"
    )
    cart = models.ForeignKey("store.Cart", on_delete=models.SET_NULL, null=True, blank=True, related_name="bom_imports")
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8, choices=Format.choices)
    file_size = models.PositiveIntegerField()
    file_sha256 = models.CharField(max_length=64)
    board_quantity = models.PositiveIntegerField(default=1)
    delimiter = models.CharField(max_length=4, blank=True)
    header_row = models.PositiveIntegerField(null=True, blank=True, help_text="1-based; empty: no header row.")
    columns = models.JSONField(default=dict, blank=True, help_text="Field → column header found in the file.")
    problems = models.JSONField(default=list, blank=True, help_text="Rows skipped, with the reason.")
    summary = models.JSONField(default=dict, blank=True)
    cart_result = models.JSONField(default=dict, blank=True, help_text="The last add-to-cart: added and short.")
    added_to_cart_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(board_quantity__gte=1), name="store_bomimport_board_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"BOM {self.pk} {self.file_name}"


class BomLine(TimeStampedModel):
    """A line of an import: what the file said, and the product it maps to (with how sure the mapping is)."""

    class Status(models.TextChoices):
        MAPPED = "mapped", "Mapped"
        AMBIGUOUS = "ambiguous", "Ambiguous"
        UNMATCHED = "unmatched", "Unmatched"
        OUT_OF_STOCK = "out_of_stock", "Out of stock"

    class Method(models.TextChoices):
        NONE = "", "None"
        SKU = "sku", "SKU"
        SUPPLIER_PART = "supplier_part", "Supplier part number"
        MPN = "mpn", "MPN"
        FUZZY = "fuzzy", "Fuzzy text"
        MANUAL = "manual", "Manual"

    bom_import = models.ForeignKey(BomImport, on_delete=models.CASCADE, related_name="lines")
    line = models.PositiveIntegerField(help_text="1-based position in the import.")
    source_row = models.PositiveIntegerField(help_text="1-based row of the file.")
    designators = models.JSONField(default=list, blank=True)
    quantity = models.PositiveIntegerField()
    mpn = models.CharField(max_length=200, blank=True)
    manufacturer = models.CharField(max_length=200, blank=True)
    supplier_part = models.CharField(max_length=100, blank=True)
    value = models.CharField(max_length=200, blank=True)
    footprint = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=500, blank=True)
    alternates = models.JSONField(default=list, blank=True, help_text="Alternate MPNs the file lists.")
    status = models.CharField(max_length=16, choices=Status.choices, db_index=True)
    method = models.CharField(max_length=16, choices=Method.choices, blank=True)
    product = models.ForeignKey(
        "store.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="bom_lines"
    )
    confidence = models.FloatField(default=0.0)
    candidates = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["bom_import", "line"]
        constraints = [
            models.UniqueConstraint(fields=["bom_import", "line"], name="store_bomline_unique_line"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="store_bomline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="store_bomline_confidence_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bom_import_id}#{self.line} {self.mpn or self.value}"
