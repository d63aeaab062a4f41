"""Quick reorder: a customer's saved lists of SKUs and quantities, put into the cart in one call."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from makrx.models import TimeStampedModel


class ReorderList(TimeStampedModel):
    """A named list of SKUs and quantities owned by one customer (optionally copied from one of their orders)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="store_reorder_lists")
    name = models.CharField(max_length=200)
    source_order = models.ForeignKey(
        "store.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="reorder_lists"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="store_reorderlist_user_idx")]

    def __str__(self) -> str:
        return self.name


class ReorderLine(TimeStampedModel):
    """One SKU of a list. The SKU is kept as text: a product retired later is reported as unknown at to-cart."""

    reorder_list = models.ForeignKey(ReorderList, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["reorder_list", "sku"], name="store_reorderline_unique_sku"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(quantity__lte=10_000), name="store_reorderline_quantity_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"
