"""Stock per product (on hand and reserved) and its movement history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from makrx.models import TimeStampedModel


class StockLevel(TimeStampedModel):
    """On-hand and reserved units of one product; available = on_hand - reserved.

    Kept out of ``Product`` so that checkout locks (``select_for_update``) and guarded updates touch
    a narrow row and never contend with catalog edits. The database refuses negative or over-reserved stock.
    """

    product = models.OneToOneField("store.Product", on_delete=models.CASCADE, primary_key=True, related_name="stock")
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="store_stock_on_hand_nonnegative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="store_stock_reserved_nonnegative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="store_stock_reserved_le_on_hand"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.on_hand} on hand, {self.reserved} reserved"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMovement(TimeStampedModel):
    """Append-only history of stock changes (staff counts, reservations, sales, releases)."""

    class Kind(models.TextChoices):
        ADJUSTMENT = "adjustment", "Adjustment (count set by staff)"
        RESERVE = "reserve", "Reserved by an order"
        RELEASE = "release", "Reservation released"
        SALE = "sale", "Sold (reserved units shipped out)"
        RETURN = "return", "Returned to stock"

    product = models.ForeignKey("store.Product", on_delete=models.CASCADE, related_name="stock_movements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    on_hand_delta = models.IntegerField(default=0)
    reserved_delta = models.IntegerField(default=0)
    on_hand_after = models.IntegerField()
    reserved_after = models.IntegerField()
    order = models.ForeignKey("store.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "-created_at"], name="store_stockmove_product_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.product_id} ({self.on_hand_delta:+d}/{self.reserved_delta:+d})"
