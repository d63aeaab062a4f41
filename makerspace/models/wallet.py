"""Credit wallets: one per member of a makerspace, its balance never negative and always the sum of its ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from makrx.models import TimeStampedModel
from makrx.money import CurrencyField, MoneyField


class Wallet(TimeStampedModel):
    """A member's prepaid credit at their makerspace; changed only by the wallet services' guarded updates."""

    member = models.OneToOneField("makerspace.Member", on_delete=models.PROTECT, related_name="wallet")
    makerspace = models.ForeignKey("makerspace.Makerspace", on_delete=models.PROTECT, related_name="wallets")
    balance = MoneyField(default=0)
    currency = CurrencyField()

    class Meta:
        ordering = ["makerspace", "member"]
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="wallet_balance_not_negative")]

    def __str__(self) -> str:
        return f"Wallet of {self.member}"


class WalletEntry(models.Model):
    """Append-only ledger row: a signed change and the balance after it (``balance_after`` of the last row =
    the wallet's balance)."""

    class Kind(models.TextChoices):
        TOP_UP = "top_up", "Top-up"
        CHARGE = "charge", "Charge"
        REFUND = "refund", "Refund to wallet"
        ADJUSTMENT = "adjustment", "Adjustment"

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount = MoneyField(help_text="Signed: credits positive, charges negative.")
    balance_after = MoneyField()
    description = models.CharField(max_length=300, blank=True)
    reference = models.CharField(max_length=200, blank=True)
    # A top-up's platform payment: credited once however often its capture is reported.
    payment_id = models.PositiveBigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "wallet entries"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="wallet_entry_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="wallet_entry_balance_not_negative"),
            models.CheckConstraint(
                condition=Q(kind__in=["top_up", "charge", "refund", "adjustment"]), name="wallet_entry_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(kind="charge") | Q(amount__lt=0), name="wallet_entry_charge_negative"),
            models.UniqueConstraint(
                fields=["payment_id"], condition=Q(payment_id__isnull=False), name="wallet_entry_one_per_payment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"
