"""Carts: one per signed-in user, or anonymous ones addressed by a token."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac

from makrx.models import TimeStampedModel
from makrx.money import default_currency


def session_key_hash(session_id: str) -> str:
    """What ``Cart.session_key_hash`` holds for a browser's ``X-Session-ID``: a keyed SHA-256 (SECRET_KEY), so a
    leaked table gives no usable session ids and cannot be checked against guessed ones offline."""
    return salted_hmac("store.cart.session_id", session_id, algorithm="sha256").hexdigest()


class Cart(TimeStampedModel):
    """A shopping cart. Anonymous carts carry ``token`` (the ``X-Cart-Token`` header); at sign-in they are
    merged into the user's cart and keep a pointer to it in ``merged_into``. An anonymous cart of the earlier
    store front also carries ``session_key_hash``: a keyed hash of its ``X-Session-ID`` (never the id itself)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="store_carts"
    )
    token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    currency = models.CharField(max_length=3, default=default_currency)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    session_key_hash = models.CharField(max_length=64, null=True, blank=True, editable=False, db_index=True)

    class Meta:
        constraints = [
            # One open cart per browser session; merged carts keep their hash (their guest orders stay readable).
            models.UniqueConstraint(
                fields=["session_key_hash"],
                condition=Q(session_key_hash__isnull=False, merged_at__isnull=True),
                name="store_cart_one_open_per_session",
            ),
            models.UniqueConstraint(fields=["user"], condition=Q(user__isnull=False), name="store_cart_one_per_user"),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(token__isnull=False), name="store_cart_user_or_token"
            ),
        ]

    def __str__(self) -> str:
        return f"cart {self.pk} ({self.user or 'anonymous'})"


class CartItem(TimeStampedModel):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("store.Product", on_delete=models.CASCADE, related_name="cart_items")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="store_cartitem_unique_product"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="store_cartitem_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"
