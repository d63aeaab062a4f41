"""A project's bill of materials: lines naming an inventory item or a store SKU, procured through states."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from makerspace.models.inventory import QuantityField
from makrx.models import TimeStampedModel
from makrx.money import CurrencyField, MoneyField


class BOMLine(TimeStampedModel):
    class State(models.TextChoices):
        NEEDED = "needed", "Needed"
        ORDERED = "ordered", "Ordered"
        RECEIVED = "received", "Received"
        CONSUMED = "consumed", "Consumed"

    # needed → ordered → received → consumed; a line whose item is in stock goes needed → consumed.
    TRANSITIONS = {
        "needed": {"ordered", "consumed"},
        "ordered": {"received", "needed"},
        "received": {"consumed"},
        "consumed": set(),
    }

    project = models.ForeignKey("makerspace.Project", on_delete=models.CASCADE, related_name="bom_lines")
    inventory_item = models.ForeignKey(
        "makerspace.InventoryItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="bom_lines"
    )
    store_sku = models.CharField(max_length=64, blank=True, help_text="A store product (resolved by the bridge).")
    description = models.CharField(max_length=300, blank=True)
    quantity = QuantityField()
    unit_cost = MoneyField(default=Decimal("0"))
    currency = CurrencyField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.NEEDED, db_index=True)
    consumed_movement = models.ForeignKey(
        "makerspace.StockMovement", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["project", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(inventory_item__isnull=False) | ~Q(store_sku=""), name="bom_line_names_a_part"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="bom_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="bom_line_unit_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(state__in=["needed", "ordered", "received", "consumed"]), name="bom_line_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.description or self.store_sku or f"line #{self.pk}"
