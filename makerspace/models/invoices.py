"""Invoices of a makerspace: lines (from billable records or typed by staff), numbering counters, credit notes and
the payments and refunds recorded against them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from makrx.models import TimeStampedModel
from makrx.money import CurrencyField, MoneyField


class Invoice(TimeStampedModel):
    """``draft → issued → paid | void``; numbered (``INV-YYYY-MM-nnnnn`` per makerspace) only when issued.

    Money: ``total = subtotal + tax_total`` (database check). ``amount_paid`` and ``amount_refunded`` sum the
    payments and refunds; ``amount_credited`` sums the credit notes (a void or a refund writes one). What is
    still owed is ``total - amount_credited - (amount_paid - amount_refunded)``.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"
        PAID = "paid", "Paid"
        VOID = "void", "Void"

    class Supply(models.TextChoices):
        INTRA = "intra", "Within the state (CGST + SGST)"
        INTER = "inter", "Across states (IGST)"

    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.PROTECT, related_name="invoices")
    member = models.ForeignKey("makerspace.Member", on_delete=models.PROTECT, related_name="invoices")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT, db_index=True)
    number = models.CharField(max_length=32, null=True, blank=True)
    currency = CurrencyField()
    period_from = models.DateField(null=True, blank=True)
    period_to = models.DateField(null=True, blank=True)
    supply = models.CharField(max_length=5, choices=Supply.choices, default=Supply.INTRA)
    supplier_state_code = models.CharField(max_length=2, blank=True)
    place_of_supply = models.CharField(max_length=2, blank=True, help_text="The customer's state code (GST).")
    subtotal = MoneyField(default=0)
    tax_total = MoneyField(default=0)
    total = MoneyField(default=0)
    amount_paid = MoneyField(default=0)
    amount_refunded = MoneyField(default=0)
    amount_credited = MoneyField(default=0)
    issued_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=500, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "issued", "paid", "void"]), name="invoice_status_valid"
            ),
            models.CheckConstraint(condition=Q(supply__in=["intra", "inter"]), name="invoice_supply_valid"),
            models.CheckConstraint(condition=Q(total=F("subtotal") + F("tax_total")), name="invoice_total_adds_up"),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_refunded__gte=0) & Q(amount_credited__gte=0),
                name="invoice_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_refunded__lte=F("amount_paid")), name="invoice_refunds_within_paid"
            ),
            # A draft has no number; an issued or paid invoice has one (a void draft never had one).
            models.CheckConstraint(
                condition=(Q(status="draft") & Q(number__isnull=True))
                | (Q(status__in=["issued", "paid"]) & Q(number__isnull=False))
                | Q(status="void"),
                name="invoice_numbered_unless_draft",
            ),
            models.UniqueConstraint(fields=["makerspace", "number"], name="invoice_number_unique_per_makerspace"),
        ]
        indexes = [models.Index(fields=["makerspace", "status"], name="invoice_space_status_idx")]

    def __str__(self) -> str:
        return self.number or f"Draft invoice #{self.pk}"

    @property
    def amount_due(self):
        return self.total - self.amount_credited - (self.amount_paid - self.amount_refunded)


class InvoiceLine(models.Model):
    """One line: ``amount = quantity × unit_price`` and its tax, each rounded once here; the record it bills."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, default=1)
    unit_price = MoneyField()
    amount = MoneyField()
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    cgst = MoneyField(default=0)
    sgst = MoneyField(default=0)
    igst = MoneyField(default=0)
    line_total = MoneyField()
    # Billed at most once: the one-to-one is the database's unique link from line to record.
    record = models.OneToOneField(
        "makerspace.BillableRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_line"
    )

    class Meta:
        ordering = ["invoice", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(line_total=F("amount") + F("cgst") + F("sgst") + F("igst")),
                name="invoice_line_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=100), name="invoice_line_tax_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} × {self.quantity}"

    @property
    def tax(self):
        return self.cgst + self.sgst + self.igst


class DocumentCounter(models.Model):
    """The last number given in one series (``INV``/``CN``) of one makerspace and month; the issuing transaction
    increments it in place (the row stays locked until commit), so numbers have no gaps and no duplicates."""

    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.CASCADE, related_name="+")
    series = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["makerspace", "series", "year", "month"], name="document_counter_unique_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}-{self.month:02d}: {self.last}"


class CreditNote(TimeStampedModel):
    """A credit against an issued invoice (``CN-YYYY-MM-nnnnn``, its own series): written by a void (the whole
    remaining total) or a refund (the refunded amount, its tax in the invoice's proportion)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=32)
    subtotal = MoneyField()
    tax_total = MoneyField()
    total = MoneyField()
    currency = CurrencyField()
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["makerspace", "number"], name="credit_note_number_unique_per_makerspace"),
            models.CheckConstraint(condition=Q(total=F("subtotal") + F("tax_total")), name="credit_note_adds_up"),
            models.CheckConstraint(condition=Q(total__gt=0), name="credit_note_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class InvoicePayment(TimeStampedModel):
    """Money received for (``payment``) or returned from (``refund``) an invoice, by any method.

    ``payment_id`` is the platform payment (``makrx.payments``) behind a provider or offline payment; wallet
    payments name their wallet entry instead.
    """

    class Kind(models.TextChoices):
        PAYMENT = "payment", "Payment"
        REFUND = "refund", "Refund"

    class Method(models.TextChoices):
        WALLET = "wallet", "Wallet credit"
        RAZORPAY = "razorpay", "Razorpay"
        STRIPE = "stripe", "Stripe"
        CASH = "cash", "Cash"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        UPI_OFFLINE = "upi_offline", "UPI (outside the gateway)"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PAYMENT)
    method = models.CharField(max_length=16, choices=Method.choices)
    amount = MoneyField()
    currency = CurrencyField()
    reference = models.CharField(max_length=200, blank=True)
    payment_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    wallet_entry = models.OneToOneField(
        "makerspace.WalletEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_payment"
    )
    destination = models.CharField(max_length=10, blank=True, help_text="Refunds: original or wallet.")
    # A payment: how much of it was refunded; a refund: the payment it returns money from.
    amount_refunded = MoneyField(default=0)
    refund_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunds",
        limit_choices_to={"kind": "payment"},
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_payment_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                name="invoice_payment_refunded_within_amount",
            ),
            models.CheckConstraint(condition=Q(kind__in=["payment", "refund"]), name="invoice_payment_kind_valid"),
            models.CheckConstraint(
                condition=Q(method__in=["wallet", "razorpay", "stripe", "cash", "bank_transfer", "upi_offline"]),
                name="invoice_payment_method_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency} by {self.get_method_display()}"
