"""Service providers: makers who take paid work (store jobs through the bridge) in the makerspaces they work in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from makrx.models import TimeStampedModel
from makrx.money import CurrencyField, MoneyField


class ServiceProvider(TimeStampedModel):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_profile")
    display_name = models.CharField(max_length=200)
    bio = models.TextField(blank=True, max_length=5000)
    makerspaces = models.ManyToManyField("makerspace.Makerspace", related_name="providers", blank=True)
    hourly_rate = MoneyField(null=True, blank=True)
    currency = CurrencyField()
    available = models.BooleanField(default=True, help_text="Taking new work now.")
    availability_note = models.CharField(max_length=300, blank=True, help_text="e.g. weekday evenings")
    rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=0, rating__lte=5), name="provider_rating_range"
            ),
            models.CheckConstraint(
                condition=Q(hourly_rate__isnull=True) | Q(hourly_rate__gte=0), name="provider_rate_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class ProviderCapability(models.Model):
    """A process the provider runs, with the materials and the largest part (bed size) they take."""

    class Process(models.TextChoices):
        FDM = "fdm", "FDM 3D printing"
        SLA = "sla", "SLA/resin 3D printing"
        SLS = "sls", "SLS 3D printing"
        LASER = "laser", "Laser cutting/engraving"
        CNC = "cnc", "CNC milling/routing"
        PCB = "pcb", "PCB assembly"
        OTHER = "other", "Other"

    provider = models.ForeignKey(ServiceProvider, on_delete=models.CASCADE, related_name="capabilities")
    process = models.CharField(max_length=8, choices=Process.choices, db_index=True)
    # Lower-case names wrapped in commas (",pla,petg,") so "has material X" is one portable LIKE lookup.
    materials = models.CharField(max_length=1000, blank=True)
    bed_x_mm = models.PositiveIntegerField(null=True, blank=True)
    bed_y_mm = models.PositiveIntegerField(null=True, blank=True)
    bed_z_mm = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["provider", "process", "id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "process"], name="provider_capability_unique"),
            models.CheckConstraint(
                condition=Q(process__in=["fdm", "sla", "sls", "laser", "cnc", "pcb", "other"]),
                name="provider_capability_process_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.process}"

    @property
    def material_list(self) -> list[str]:
        return [name for name in self.materials.split(",") if name]
