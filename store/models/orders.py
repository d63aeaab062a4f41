"""Orders, their lines (prices copied at purchase time) and their status history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from makrx.models import TimeStampedModel
from makrx.money import default_currency


class Order(TimeStampedModel):
    """A customer's order, numbered ``MX-<year>-<6 digits>``.

    ``pending_payment -> paid -> fulfilled``; ``pending_payment -> cancelled`` (stock returned, also when
    ``expires_at`` passes unpaid); ``paid/fulfilled -> refunded``.
    """

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", "Pending payment"
        PAID = "paid", "Paid"
        FULFILLED = "fulfilled", "Fulfilled"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    number = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="store_orders"
    )
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT, db_index=True)
    currency = models.CharField(max_length=3, default=default_currency)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    discount = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0.00"), help_text="Coupon discount, before tax."
    )
    coupon_code = models.CharField(max_length=40, blank=True)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.00"), help_text="Percent.")
    tax = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    cart = models.ForeignKey("store.Cart", on_delete=models.SET_NULL, null=True, blank=True, related_name="orders")
    # The Idempotency-Key of the checkout that created it (the stored response lives in makrx.IdempotencyKey).
    shipping_address = models.JSONField(default=dict, blank=True)
    billing_address = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Unpaid orders release their stock then.")
    paid_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subtotal__gte=0) & Q(tax__gte=0) & Q(total__gte=0), name="store_order_amounts_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0) & Q(discount__lte=models.F("subtotal")),
                name="store_order_discount_within_subtotal",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="store_order_user_idx"),
            models.Index(fields=["status", "expires_at"], name="store_order_status_expiry_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(TimeStampedModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "store.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="order_lines"
    )
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="store_orderline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0) & Q(line_total__gte=0), name="store_orderline_amounts_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class OrderEvent(TimeStampedModel):
    """Append-only history of an order: status changes, payments, notes."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, help_text="created, status_changed, payment, stock_released, note, ...")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.from_status}->{self.to_status}"
