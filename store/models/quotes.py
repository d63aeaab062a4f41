"""Maker-service pricing data (materials, the capabilities partner makerspaces offer the store) and quotes."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from makrx.models import TimeStampedModel
from makrx.money import CurrencyField, MoneyField


class Process(models.TextChoices):
    PRINT_3D = "print_3d", "3D printing"
    LASER_CUT = "laser_cut", "Laser cutting"


class Material(TimeStampedModel):
    """A material the store quotes for. 3D printing: ``density_g_cm3`` and ``price_per_kg``; laser cutting:
    ``price_per_sheet`` for a ``sheet_width_mm`` x ``sheet_height_mm`` sheet, ``thicknesses_mm`` and the cutting
    speed per thickness (``cut_speeds_mm_s``, keys are thicknesses as strings)."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    process = models.CharField(max_length=16, choices=Process.choices, db_index=True)
    active = models.BooleanField(default=True)
    currency = CurrencyField()
    density_g_cm3 = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    price_per_kg = MoneyField(null=True, blank=True)
    price_per_sheet = MoneyField(null=True, blank=True)
    sheet_width_mm = models.PositiveIntegerField(null=True, blank=True)
    sheet_height_mm = models.PositiveIntegerField(null=True, blank=True)
    thicknesses_mm = models.JSONField(default=list, blank=True)
    cut_speeds_mm_s = models.JSONField(default=dict, blank=True)
    engrave_speed_mm_s = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("100.00"))
    colours = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["process", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(process="laser_cut") | (Q(density_g_cm3__gt=0) & Q(price_per_kg__gte=0)),
                name="store_material_print_priced",
            ),
            models.CheckConstraint(
                condition=Q(process="print_3d")
                | (Q(price_per_sheet__gte=0) & Q(sheet_width_mm__gt=0) & Q(sheet_height_mm__gt=0)),
                name="store_material_sheet_priced",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_process_display()})"


class ServiceCapability(TimeStampedModel):
    """What one partner makerspace's machine offers the store: the store never imports the makerspace app,
    so it keeps its own copy (``makerspace_ref`` is the makerspace's id; the bridge will sync it later)."""

    makerspace_ref = models.PositiveIntegerField(help_text="Id of the makerspace on the makerspace side.")
    makerspace_name = models.CharField(max_length=200)
    name = models.CharField(max_length=120, help_text="The machine, e.g. 'Prusa MK4'.")
    process = models.CharField(max_length=16, choices=Process.choices)
    accepts_store_jobs = models.BooleanField(default=True)
    bed_x_mm = models.PositiveIntegerField()
    bed_y_mm = models.PositiveIntegerField()
    bed_z_mm = models.PositiveIntegerField(default=0, help_text="0 for laser cutters.")
    materials = models.ManyToManyField(Material, blank=True, related_name="capabilities")
    machine_rate_per_hour = MoneyField(default=Decimal("120.00"))
    labour_rate_per_hour = MoneyField(default=Decimal("200.00"))
    setup_fee = MoneyField(default=Decimal("0.00"))
    pickup = models.BooleanField(default=True, help_text="Customers may collect finished parts here.")

    class Meta:
        ordering = ["makerspace_name", "name"]
        verbose_name_plural = "service capabilities"

    def __str__(self) -> str:
        return f"{self.makerspace_name}: {self.name}"


class Quote(TimeStampedModel):
    """An immutable price for making an upload: the amounts, the breakdown that explains them, and the
    estimates the makerspace will see. Valid until ``valid_until``."""

    upload = models.ForeignKey("store.Upload", on_delete=models.PROTECT, related_name="quotes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="store_quotes"
    )
    cart = models.ForeignKey("store.Cart", on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes")
    process = models.CharField(max_length=16, choices=Process.choices)
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="quotes")
    quantity = models.PositiveIntegerField()
    options = models.JSONField(default=dict, blank=True)
    currency = CurrencyField()
    subtotal = MoneyField()
    delivery = MoneyField(default=Decimal("0.00"))
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    tax = MoneyField()
    total = MoneyField()
    breakdown = models.JSONField(default=list)
    estimates = models.JSONField(default=dict, blank=True, help_text="est_weight_g, est_time_min, sheets, ...")
    lead_time_days = models.PositiveIntegerField()
    valid_until = models.DateTimeField()
    machine_fits = models.BooleanField()
    machine_fits_reason = models.CharField(max_length=300, blank=True)
    capability = models.ForeignKey(
        ServiceCapability, on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="store_quote_quantity_positive"),
            models.CheckConstraint(condition=Q(total__gte=0) & Q(subtotal__gte=0), name="store_quote_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"Quote {self.pk} ({self.total} {self.currency})"
