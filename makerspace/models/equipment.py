"""Machines of a makerspace and the history of their status."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from makrx.models import TimeStampedModel
from makrx.money import CurrencyField, MoneyField


class Equipment(TimeStampedModel):
    """A bookable machine; status changes go through services and are recorded in EquipmentStatusChange."""

    class Type(models.TextChoices):
        PRINTER_3D = "3d_printer", "3D printer"
        LASER_CUTTER = "laser_cutter", "Laser cutter"
        CNC = "cnc", "CNC"
        ELECTRONICS_BENCH = "electronics_bench", "Electronics bench"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        AVAILABLE = "available", "Available"
        IN_USE = "in_use", "In use"
        MAINTENANCE = "maintenance", "Maintenance"
        OFFLINE = "offline", "Offline"

    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.CASCADE, related_name="equipment")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    equipment_type = models.CharField(max_length=20, choices=Type.choices, default=Type.OTHER, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.AVAILABLE, db_index=True)
    description = models.TextField(blank=True)
    hourly_rate = MoneyField(default=0)
    currency = CurrencyField()
    location = models.CharField(max_length=200, blank=True)
    specs = models.JSONField(default=dict, blank=True)
    photo = models.FileField(upload_to="makerspace/equipment/", blank=True)
    required_skills = models.ManyToManyField("makerspace.Skill", blank=True, related_name="equipment")

    class Approval(models.TextChoices):
        NEVER = "never", "Never"
        ALWAYS = "always", "Always"
        ABOVE_PRICE = "above_price", "Above a price"
        OUTSIDE_STAFFED_HOURS = "outside_staffed", "Outside staffed hours"

    approval = models.CharField(
        max_length=16,
        choices=Approval.choices,
        default=Approval.NEVER,
        help_text="When a member's booking waits for staff approval (created pending, holding the slot).",
    )
    approval_price_threshold = MoneyField(
        null=True, blank=True, help_text="With 'Above a price': bookings priced above this need approval."
    )
    staffed_hours = models.JSONField(
        default=list,
        blank=True,
        help_text='With "Outside staffed hours": [{"weekday": 0-6, "opens": "HH:MM", "closes": "HH:MM"}, ...] (local).',
    )

    class SkillGate(models.TextChoices):
        BLOCK = "block", "Block (refuse)"
        WARN = "warn", "Warn (allow, flag the booking)"
        LOG_ONLY = "log_only", "Log only"

    skill_gate = models.CharField(
        max_length=8,
        choices=SkillGate.choices,
        default=SkillGate.BLOCK,
        help_text="What a missing required skill does: refuse (409 skill_required), allow and flag, or only log.",
    )
    minimum_plan = models.ForeignKey(
        "makerspace.MembershipPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Members need this plan or an active plan of this makerspace priced at least as much.",
    )
    staffed_hours_only = models.BooleanField(
        default=False, help_text="Members may book and use the machine only inside its staffed hours."
    )
    requires_supervisor = models.BooleanField(
        default=False, help_text="Members' bookings name a supervisor: staff of this makerspace, free at that time."
    )
    active = models.BooleanField(default=True, db_index=True)

    class Meta:
        ordering = ["makerspace", "name"]
        verbose_name_plural = "equipment"
        constraints = [
            models.UniqueConstraint(fields=["makerspace", "slug"], name="equipment_unique_slug_per_makerspace"),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="equipment_hourly_rate_not_negative"),
            models.CheckConstraint(
                condition=Q(equipment_type__in=["3d_printer", "laser_cutter", "cnc", "electronics_bench", "other"]),
                name="equipment_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["available", "in_use", "maintenance", "offline"]), name="equipment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(approval__in=["never", "always", "above_price", "outside_staffed"]),
                name="equipment_approval_valid",
            ),
            models.CheckConstraint(
                condition=Q(skill_gate__in=["block", "warn", "log_only"]), name="equipment_skill_gate_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EquipmentStatusChange(TimeStampedModel):
    """Append-only history of a machine's status, with the ticket or window that caused it."""

    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    reason = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticket = models.ForeignKey(
        "makerspace.MaintenanceTicket", on_delete=models.SET_NULL, null=True, blank=True, related_name="status_changes"
    )
    window = models.ForeignKey(
        "makerspace.MaintenanceWindow", on_delete=models.SET_NULL, null=True, blank=True, related_name="status_changes"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.equipment}: {self.from_status or '∅'} → {self.to_status}"
