"""Service jobs: work the store sends through the bridge, made in a makerspace, with their status timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from makrx.models import TimeStampedModel
from makrx.money import CurrencyField, MoneyField


class ServiceJob(TimeStampedModel):
    """One store order's work in one makerspace. Status changes go through ``makerspace.services.jobs`` only."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        ACCEPTED = "accepted", "Accepted"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        SHIPPED = "shipped", "Shipped"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"

    class Priority(models.TextChoices):
        NORMAL = "normal", "Normal"
        RUSH = "rush", "Rush"

    class Source(models.TextChoices):
        STORE = "store", "MakrX store"

    # The legal moves. Reject refuses work not yet taken on; cancel stops it until it is made (consumption
    # happens at completion, so nothing is to be given back). Completed and shipped jobs are final for the space.
    TRANSITIONS = {
        Status.RECEIVED: {Status.ACCEPTED, Status.REJECTED, Status.CANCELLED},
        Status.ACCEPTED: {Status.IN_PROGRESS, Status.CANCELLED},
        Status.IN_PROGRESS: {Status.COMPLETED, Status.CANCELLED},
        Status.COMPLETED: {Status.SHIPPED},
        Status.SHIPPED: set(),
        Status.REJECTED: set(),
        Status.CANCELLED: set(),
    }
    OPEN_STATUSES = (Status.RECEIVED, Status.ACCEPTED, Status.IN_PROGRESS)
    # The timestamp field each status sets when the job enters it.
    STATUS_TIMESTAMPS = {
        Status.RECEIVED: "received_at",
        Status.ACCEPTED: "accepted_at",
        Status.IN_PROGRESS: "started_at",
        Status.COMPLETED: "completed_at",
        Status.SHIPPED: "shipped_at",
        Status.REJECTED: "rejected_at",
        Status.CANCELLED: "cancelled_at",
    }

    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.PROTECT, related_name="service_jobs")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.STORE)
    external_order_id = models.CharField(max_length=100, help_text="The sender's order id (unique per source).")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=10000)
    file_url = models.CharField(max_length=2000, blank=True)
    material = models.CharField(max_length=64, blank=True, help_text="The material slug as the store sent it.")
    material_item = models.ForeignKey(
        "makerspace.InventoryItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_jobs",
        help_text="The inventory item the material was matched to (what completion draws by default).",
    )
    quantity = models.PositiveIntegerField(default=1)
    price = MoneyField(null=True, blank=True)
    currency = CurrencyField()
    customer_name = models.CharField(max_length=200, blank=True)
    customer_email = models.CharField(max_length=254, blank=True)
    requirements = models.JSONField(default=dict, blank=True)
    delivery = models.JSONField(default=dict, blank=True)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL, db_index=True)
    provider = models.ForeignKey(
        "makerspace.ServiceProvider", on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    machine = models.ForeignKey(
        "makerspace.Equipment", on_delete=models.SET_NULL, null=True, blank=True, related_name="service_jobs"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    status_note = models.CharField(max_length=500, blank=True, help_text="Why it was rejected or cancelled.")
    tracking = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_order_id"], name="service_job_unique_external_order"),
            models.CheckConstraint(
                condition=Q(
                    status__in=["received", "accepted", "in_progress", "completed", "shipped", "rejected", "cancelled"]
                ),
                name="service_job_status_valid",
            ),
            models.CheckConstraint(condition=Q(priority__in=["normal", "rush"]), name="service_job_priority_valid"),
            models.CheckConstraint(condition=Q(source__in=["store"]), name="service_job_source_valid"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="service_job_quantity_positive"),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="service_job_price_not_negative"
            ),
            # A job that was made carries its completion time (the jobs report measures turnaround from it).
            models.CheckConstraint(
                condition=~Q(status__in=["completed", "shipped"]) | Q(completed_at__isnull=False),
                name="service_job_completed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["makerspace", "status"], name="service_job_space_status_idx"),
            models.Index(fields=["makerspace", "completed_at"], name="service_job_space_done_idx"),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk} {self.title}"


class ServiceJobEvent(models.Model):
    """Append-only timeline of a job: each status change (the first from "" to ``received``) with who and why."""

    job = models.ForeignKey(ServiceJob, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["job", "at"], name="service_job_event_job_idx")]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.from_status or '∅'} → {self.to_status}"
