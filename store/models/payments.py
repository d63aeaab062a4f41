"""Payments with a provider (Stripe, Razorpay) and every inbound webhook delivery."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from makrx.models import TimeStampedModel
from makrx.money import default_currency


class Provider(models.TextChoices):
    STRIPE = "stripe", "Stripe"
    RAZORPAY = "razorpay", "Razorpay"


class Payment(TimeStampedModel):
    """One attempt to collect an order's total at a provider (Stripe PaymentIntent, Razorpay order)."""

    class Status(models.TextChoices):
        CREATED = "created", "Created"
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    order = models.ForeignKey("store.Order", on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.STRIPE)
    provider_ref = models.CharField(max_length=255, help_text="Provider's id, e.g. the PaymentIntent id.")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default=default_currency)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED, db_index=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True, help_text="Last provider object seen (no secrets).")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_ref"], name="store_payment_provider_ref_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="store_payment_amount_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_ref}"


class WebhookEvent(TimeStampedModel):
    """Inbound provider webhook deliveries. Verified events keep their payload and are unique by
    (provider, event_id), so each is applied once. A delivery that fails verification is recorded as a small
    digest only (sha256 and size of the body, signature header present or not, reason, client IP, request
    id), never its body; those rows are rate-limited per client IP and purged after
    ``WEBHOOK_REJECTED_RETENTION_DAYS``."""

    class Result(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored (event type not handled)"
        DUPLICATE = "duplicate", "Duplicate"
        REJECTED = "rejected", "Rejected (signature)"
        FAILED = "failed", "Failed"

    provider = models.CharField(max_length=20, choices=Provider.choices)
    event_id = models.CharField(max_length=255, blank=True)
    type = models.CharField(max_length=100, blank=True)
    payload = models.JSONField(default=dict, blank=True, help_text="Verified events only.")
    body_sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the raw body, hex.")
    body_size = models.PositiveIntegerField(default=0, help_text="Bytes in the raw body.")
    signature_present = models.BooleanField(default=False, help_text="The provider's signature header was sent.")
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    signature_valid = models.BooleanField(default=False)
    result = models.CharField(max_length=20, choices=Result.choices, default=Result.RECEIVED, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    payment = models.ForeignKey(
        Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="webhook_events"
    )
    request_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"],
                condition=Q(signature_valid=True),
                name="store_webhook_event_unique_verified",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "event_id"], name="store_webhook_provider_evt_idx"),
            # The retention purge: rejected rows by age.
            models.Index(fields=["created_at"], condition=Q(result="rejected"), name="store_webhook_rejected_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id or '-'} {self.type}"
