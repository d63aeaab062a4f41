"""Consumables inventory: items per makerspace and their append-only stock ledger."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from makrx.models import TimeStampedModel
from makrx.money import CurrencyField, MoneyField

QUANTITY = {"max_digits": 14, "decimal_places": 3}
ZERO = Decimal("0")


def QuantityField(**kwargs) -> models.DecimalField:  # noqa: N802 - reads like a field class
    """A stock quantity in the item's unit (pieces, grams, metres, ...): 11 digits before the point, 3 after."""
    return models.DecimalField(**QUANTITY, **kwargs)


def suggested_reorder_quantity(reorder_level: Decimal, reorder_quantity: Decimal | None) -> Decimal:
    """What to order when an item is low: its reorder quantity, else max(2 × reorder level, 10)."""
    if reorder_quantity is not None:
        return reorder_quantity
    return max(reorder_level * 2, Decimal("10"))


class InventoryItem(TimeStampedModel):
    """A consumable a makerspace keeps: its on-hand ``quantity`` is the sum of its ledger, never negative."""

    class Unit(models.TextChoices):
        PIECE = "piece", "Piece"
        GRAM = "g", "Gram"
        KILOGRAM = "kg", "Kilogram"
        METRE = "m", "Metre"
        SQUARE_METRE = "m2", "Square metre"
        MILLILITRE = "ml", "Millilitre"

    class Supplier(models.TextChoices):
        STORE = "store", "MakrX store"
        EXTERNAL = "external", "External supplier"

    class Access(models.TextChoices):
        BASIC = "basic", "Basic (any member)"
        CERTIFIED = "certified", "Certified (staff)"
        ADMIN_ONLY = "admin_only", "Admin only (managers)"

    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.CASCADE, related_name="inventory_items")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=100, blank=True, db_index=True)
    unit = models.CharField(max_length=8, choices=Unit.choices, default=Unit.PIECE)
    location = models.CharField(max_length=200, blank=True)
    supplier = models.CharField(max_length=10, choices=Supplier.choices, default=Supplier.EXTERNAL)
    supplier_name = models.CharField(max_length=200, blank=True, help_text="Vendor name for external supplies.")
    unit_cost = MoneyField(default=ZERO)
    currency = CurrencyField()
    quantity = QuantityField(default=ZERO, editable=False)
    reorder_level = QuantityField(default=ZERO)
    reorder_quantity = QuantityField(null=True, blank=True, help_text="Unset: max(2 × reorder level, 10).")
    access_level = models.CharField(max_length=10, choices=Access.choices, default=Access.BASIC)
    store_sku = models.CharField(max_length=64, blank=True, help_text="The store product this item is bought as.")
    active = models.BooleanField(default=True)
    # Set when staff were told it fell to its reorder level; cleared once it is restocked above it.
    low_stock_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["makerspace", "sku"]
        constraints = [
            models.UniqueConstraint(fields=["makerspace", "sku"], name="inventory_item_unique_sku"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="inventory_item_quantity_not_negative"),
            models.CheckConstraint(condition=Q(reorder_level__gte=0), name="inventory_item_reorder_level_not_negative"),
            models.CheckConstraint(
                condition=Q(reorder_quantity__isnull=True) | Q(reorder_quantity__gt=0),
                name="inventory_item_reorder_quantity_positive",
            ),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="inventory_item_unit_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(unit__in=["piece", "g", "kg", "m", "m2", "ml"]), name="inventory_unit_valid"
            ),
            models.CheckConstraint(condition=Q(supplier__in=["store", "external"]), name="inventory_supplier_valid"),
            models.CheckConstraint(
                condition=Q(access_level__in=["basic", "certified", "admin_only"]), name="inventory_access_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["makerspace", "active"], name="inventory_item_space_idx"),
            # The low-stock list reads only the rows at or under their reorder level.
            models.Index(
                fields=["makerspace", "supplier"],
                condition=Q(active=True, reorder_level__gt=0, quantity__lte=F("reorder_level")),
                name="inventory_item_low_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def is_low(self) -> bool:
        return self.active and self.reorder_level > 0 and self.quantity <= self.reorder_level

    @property
    def suggested_reorder_quantity(self) -> Decimal:
        """The reorder quantity, or the earlier service's rule max(2 × reorder level, 10) when unset."""
        return suggested_reorder_quantity(self.reorder_level, self.reorder_quantity)


class StockMovement(models.Model):
    """One ledger row: a signed change of an item's quantity with the quantity before and after.

    Never edited or deleted (PostgreSQL refuses it with a trigger; the model refuses it too): a mistake is
    corrected by a reversing movement.
    """

    class Kind(models.TextChoices):
        RESTOCK = "restock", "Restock"
        USAGE = "usage", "Usage"
        JOB = "job", "Service job consumption"
        PROJECT = "project", "Project consumption"
        ADJUSTMENT = "adjustment", "Adjustment"
        DAMAGE = "damage", "Damage or loss"
        TRANSFER = "transfer", "Transfer"
        STOCKTAKE = "stocktake", "Stocktake"

    item = models.ForeignKey(InventoryItem, on_delete=models.PROTECT, related_name="movements")
    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    quantity = QuantityField(help_text="Signed change: positive adds stock, negative draws it.")
    quantity_before = QuantityField()
    quantity_after = QuantityField()
    counted_quantity = QuantityField(null=True, blank=True, help_text="Stocktake: what was counted.")
    reason = models.CharField(max_length=500, blank=True)
    reference = models.CharField(max_length=200, blank=True)
    transfer_group = models.UUIDField(null=True, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_after=F("quantity_before") + F("quantity")), name="stock_movement_adds_up"
            ),
            models.CheckConstraint(condition=Q(quantity_after__gte=0), name="stock_movement_not_negative"),
            models.CheckConstraint(condition=~Q(quantity=0) | Q(kind="stocktake"), name="stock_movement_not_zero"),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["restock", "usage", "job", "project", "adjustment", "damage", "transfer", "stocktake"]
                ),
                name="stock_movement_kind_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["item", "-created_at"], name="stock_movement_item_idx"),
            models.Index(fields=["makerspace", "created_at"], name="stock_movement_space_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+} of {self.item_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Stock movements are append-only: record a reversing movement instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Stock movements are append-only: record a reversing movement instead.")
