"""Coupons: percentage or fixed discounts with a validity window, limits and category/product restrictions."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from makrx.models import TimeStampedModel
from makrx.money import CurrencyField, MoneyField


class Coupon(TimeStampedModel):
    """A discount code. Codes are unique whatever their case (stored upper case).

    Redemptions are counted from ``CouponRedemption`` rows not released, under this row's lock at checkout.
    """

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percentage of the eligible items"
        FIXED = "fixed", "Fixed amount off the eligible items"

    code = models.CharField(max_length=40, help_text="Case-insensitive; stored upper case.")
    description = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    value = MoneyField(help_text="Percent (0-100] or an amount.")
    currency = CurrencyField(help_text="Of a fixed amount and minimum.")
    minimum_subtotal = MoneyField(default=Decimal("0.00"), help_text="Cart subtotal needed (before discount).")
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    max_redemptions = models.PositiveIntegerField(null=True, blank=True, help_text="Total; empty for no limit.")
    max_redemptions_per_customer = models.PositiveIntegerField(
        null=True, blank=True, default=1, help_text="Per customer (user, or email for guests); empty for no limit."
    )
    active = models.BooleanField(default=True, db_index=True)
    categories = models.ManyToManyField(
        "store.Category", blank=True, related_name="coupons", help_text="Restrict to these categories and below."
    )
    products = models.ManyToManyField("store.Product", blank=True, related_name="coupons")

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Upper("code"), name="store_coupon_code_ci_unique"),
            models.CheckConstraint(condition=Q(value__gt=0), name="store_coupon_value_positive"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="store_coupon_percent_at_most_100"
            ),
            models.CheckConstraint(condition=Q(minimum_subtotal__gte=0), name="store_coupon_minimum_nonnegative"),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="store_coupon_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.code = (self.code or "").strip().upper()
        super().save(*args, **kwargs)


class CartCoupon(TimeStampedModel):
    """The coupon applied to a cart; priced (and re-checked) at checkout."""

    cart = models.OneToOneField("store.Cart", on_delete=models.CASCADE, related_name="applied_coupon")
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="carts")

    def __str__(self) -> str:
        return f"{self.coupon} on cart {self.cart_id}"


class CouponRedemption(TimeStampedModel):
    """One use of a coupon by one order. Released (``released_at``) when the order is cancelled or refunded."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    order = models.OneToOneField("store.Order", on_delete=models.CASCADE, related_name="coupon_redemption")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(blank=True, help_text="Lower case; counts guests' uses per customer.")
    amount = MoneyField()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="store_couponredemption_amount_nonneg")]
        indexes = [models.Index(fields=["coupon", "released_at"], name="store_couponred_coupon_idx")]

    def __str__(self) -> str:
        return f"{self.coupon} on {self.order_id}"
