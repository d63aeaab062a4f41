"""Platform payment records: one ``Payment`` per attempt to collect money for something an app sells (a store
order, a makerspace invoice, a wallet top-up), its ``Refund``s, and every inbound provider ``WebhookEvent``.

A payment names what it pays by ``purpose`` (registered by the owning app, e.g. ``store.order``) and
``reference`` (that object's number or id as text), so the platform never imports an app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from makrx.models import TimeStampedModel
from makrx.money import CurrencyField, MoneyField


class Provider(models.TextChoices):
    """Who moved the money: a gateway, staff recording money taken outside it, or the member's wallet."""

    STRIPE = "stripe", "Stripe"
    RAZORPAY = "razorpay", "Razorpay"
    CASH = "cash", "Cash (offline)"
    BANK_TRANSFER = "bank_transfer", "Bank transfer (offline)"
    UPI_OFFLINE = "upi_offline", "UPI outside the gateway (offline)"
    WALLET = "wallet", "Credit wallet"


class Gateway(models.TextChoices):
    """The providers a customer pays through online."""

    STRIPE = "stripe", "Stripe"
    RAZORPAY = "razorpay", "Razorpay"


GATEWAYS = (Provider.STRIPE, Provider.RAZORPAY)
OFFLINE_METHODS = (Provider.CASH, Provider.BANK_TRANSFER, Provider.UPI_OFFLINE)


class Payment(TimeStampedModel):
    """Money collected (or being collected) for ``purpose``/``reference``. ``amount_refunded`` is the sum of
    refunds that are succeeded or still pending (reserved under the payment's row lock), never above ``amount``."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CAPTURED = "captured", "Captured"
        FAILED = "failed", "Failed"
        REFUNDED = "refunded", "Refunded"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"

    purpose = models.CharField(max_length=50, db_index=True, help_text="What is paid, e.g. store.order.")
    reference = models.CharField(max_length=64, help_text="The paid object's number or id, as text.")
    amount = MoneyField()
    currency = CurrencyField()
    provider = models.CharField(max_length=20, choices=Provider.choices)
    provider_ref = models.CharField(
        max_length=255, blank=True, help_text="Provider's id: PaymentIntent (pi_…) or Razorpay order (order_…)."
    )
    provider_payment_ref = models.CharField(
        max_length=255, blank=True, help_text="Razorpay payment id (pay_…) once paid; Stripe: the latest charge."
    )
    idempotency_key = models.CharField(max_length=255, blank=True, help_text="Same key, same provider object.")
    client_secret = models.CharField(max_length=255, blank=True, help_text="What the browser needs to pay.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    amount_refunded = MoneyField(default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="platform_payments",
        help_text="Who started or recorded it (staff for offline payments); empty for guests and the platform.",
    )
    description = models.CharField(max_length=255, blank=True)
    customer_email = models.EmailField(blank=True)
    offline_reference = models.CharField(
        max_length=200, blank=True, help_text="Offline: the receipt, transfer or UPI reference staff typed."
    )
    captured_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why it failed, or what went wrong after the capture.")
    raw = models.JSONField(default=dict, blank=True, help_text="Last provider object seen (no secrets).")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["purpose", "reference"], name="makrx_payment_purpose_ref_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_ref"], condition=~Q(provider_ref=""), name="makrx_payment_ref_unique"
            ),
            models.UniqueConstraint(
                fields=["provider", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="makrx_payment_idempotency_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="makrx_payment_amount_nonnegative"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                name="makrx_payment_refunded_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.reference} {self.provider} {self.amount} {self.currency} ({self.status})"

    @property
    def refundable(self):
        return self.amount - self.amount_refunded


class Refund(TimeStampedModel):
    """Money given back from a payment: sent to the provider (``original``), recorded for an offline payment,
    or credited by the purpose's owner (``wallet``)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Destination(models.TextChoices):
        ORIGINAL = "original", "Original payment method"
        WALLET = "wallet", "Credit wallet"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = MoneyField()
    currency = CurrencyField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    destination = models.CharField(max_length=20, choices=Destination.choices, default=Destination.ORIGINAL)
    provider_ref = models.CharField(max_length=255, blank=True, help_text="Provider's refund id (re_…, rfnd_…).")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="platform_refunds",
    )
    reason = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True, help_text="Provider's refund object (no secrets).")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="makrx_refund_amount_positive"),
            models.UniqueConstraint(
                fields=["provider_ref"], condition=~Q(provider_ref=""), name="makrx_refund_provider_ref_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} {self.currency} of {self.payment_id} ({self.status})"


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
        MISMATCH = "mismatch", "Amount or currency mismatch (not applied)"
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
                name="makrx_webhook_event_unique_verified",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "event_id"], name="makrx_webhook_provider_evt_idx"),
            models.Index(fields=["created_at"], condition=Q(result="rejected"), name="makrx_webhook_rejected_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id or '-'} {self.type}"
