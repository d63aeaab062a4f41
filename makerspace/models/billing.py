"""The makerspace transactions ledger: billable records, each created by the service that causes it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from makrx.models import TimeStampedModel
from makrx.money import CurrencyField, MoneyField


class BillableRecord(TimeStampedModel):
    """One billable thing a member owes (or is credited) at a makerspace, billed on at most one invoice line.

    The source (a subscription, a reservation, a usage session, a stock movement, a service job…) is a generic
    reference (content type + id) so apps that the makerspace models do not know (service jobs) can bill too;
    one source yields at most one record of a kind (``billable_record_one_per_source``), so a service that runs
    twice bills once. ``amount`` is ``quantity × unit_price`` rounded once; refunds and adjustments may be negative.
    """

    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription", "Subscription period"
        RESERVATION = "reservation", "Reservation"
        USAGE = "usage", "Usage session"
        OVERAGE = "overage", "Overage hours"
        MATERIAL = "material", "Materials"
        SERVICE_JOB = "service_job", "Service job"
        FEE = "fee", "Fee"
        REFUND = "refund", "Refund"
        ADJUSTMENT = "adjustment", "Adjustment"

    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.PROTECT, related_name="billable_records")
    member = models.ForeignKey("makerspace.Member", on_delete=models.PROTECT, related_name="billable_records")
    kind = models.CharField(max_length=16, choices=Kind.choices, db_index=True)
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, default=1)
    unit_price = MoneyField()
    amount = MoneyField()
    currency = CurrencyField()
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "subscription",
                        "reservation",
                        "usage",
                        "overage",
                        "material",
                        "service_job",
                        "fee",
                        "refund",
                        "adjustment",
                    ]
                ),
                name="billable_record_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(source_type__isnull=True, source_id__isnull=True)
                | Q(source_type__isnull=False, source_id__isnull=False),
                name="billable_record_source_complete",
            ),
            models.UniqueConstraint(
                fields=["kind", "source_type", "source_id"],
                condition=Q(source_id__isnull=False),
                name="billable_record_one_per_source",
            ),
        ]
        indexes = [
            models.Index(fields=["makerspace", "member", "occurred_at"], name="billable_space_member_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}: {self.description}"
