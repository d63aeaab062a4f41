"""Checkout: a cart becomes an order in one transaction, its stock reserved without ever overselling."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from makrx import metrics
from makrx.errors import ConflictError, PermissionDenied, ValidationError
from store.models import Cart, Order, OrderEvent, OrderLine, StockMovement
from store.services.cart import cart_totals
from store.services.coupons import checkout_coupon_price, coupon_redeem
from store.services.stock import stock_apply, stock_lock


def order_number_for(order: Order) -> str:
    """``MX-<year>-<id, 6+ digits>``: the id comes from the database sequence, so numbers never collide."""
    return f"MX-{order.created_at.year}-{order.pk:06d}"


@transaction.atomic
def order_checkout(
    *,
    cart: Cart,
    user=None,
    email: str = "",
    shipping_address: dict | None = None,
    billing_address: dict | None = None,
    notes: str = "",
    coupon_code: str = "",
) -> Order:
    """Turn the cart into a ``pending_payment`` order: lock the cart's coupon (if any) and the stock rows
    (product id ascending), check every line, price and redeem the coupon (409 ``coupon_*``), reserve, copy
    the catalog prices into lines, empty the cart. 409 ``out_of_stock`` names the SKUs;
    an empty cart is 400 ``cart_empty``. Unpaid orders expire after STORE_ORDER_PAYMENT_TIMEOUT_MINUTES.
    """
    # The cart row lock serialises two checkouts of the same cart (double click on two tabs).
    cart = Cart.objects.select_for_update().get(pk=cart.pk)
    if cart.user_id is not None and cart.user_id != getattr(user, "pk", None):
        raise PermissionDenied("This is not your cart.")
    if cart.merged_at is not None:
        raise ConflictError("This cart was merged into a signed-in cart.", code="cart_merged")
    items = list(cart.items.select_related("product").order_by("product_id"))
    if not items:
        raise ValidationError("The cart is empty.", code="cart_empty")
    if user is not None and getattr(user, "is_authenticated", False):
        email = email or user.email
    elif not email:
        raise ValidationError("An email is needed to check out without signing in.", errors={"email": ["Required."]})

    # Lock order: cart, coupon, stock rows. The coupon's redemptions are counted under its lock.
    coupon_price = checkout_coupon_price(cart=cart, items=items, user=user, email=email, code=coupon_code)
    levels = stock_lock(product_ids=[item.product_id for item in items])
    short: dict[str, list[str]] = {}
    for item in items:
        level = levels.get(item.product_id)
        available = level.available if level is not None else 0
        if not item.product.active:
            short[item.product.sku] = ["No longer sold."]
        elif item.quantity > available:
            short[item.product.sku] = [f"Only {max(available, 0)} available, {item.quantity} in the cart."]
        elif item.product.currency != cart.currency:
            raise ValidationError(f"{item.product.sku} is not priced in {cart.currency}.", code="currency_mismatch")
    if short:
        raise ConflictError(f"Out of stock: {', '.join(sorted(short))}.", code="out_of_stock", errors=short)

    totals = cart_totals(cart=cart, items=items, discount=coupon_price.discount if coupon_price else Decimal("0"))
    now = timezone.now()
    order = Order.objects.create(
        number=f"TMP-{uuid.uuid4().hex[:28]}",  # replaced by the id-based number below
        user=user if getattr(user, "is_authenticated", False) else None,
        email=email,
        currency=cart.currency,
        subtotal=totals.subtotal,
        discount=totals.discount,
        coupon_code=coupon_price.coupon.code if coupon_price else "",
        tax_rate=totals.tax_rate,
        tax=totals.tax,
        total=totals.total,
        cart=cart,
        shipping_address=shipping_address or {},
        billing_address=billing_address or {},
        notes=notes,
        expires_at=now + timedelta(minutes=settings.STORE_ORDER_PAYMENT_TIMEOUT_MINUTES),
    )
    order.number = order_number_for(order)
    order.save(update_fields=["number"])
    if coupon_price is not None:
        coupon_redeem(price=coupon_price, order=order)
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                product=item.product,
                sku=item.product.sku,
                name=item.product.name,
                unit_price=item.product.price,
                quantity=item.quantity,
                line_total=item.product.price * item.quantity,
            )
            for item in items
        ]
    )
    stock_apply(
        quantities={item.product_id: item.quantity for item in items},
        kind=StockMovement.Kind.RESERVE,
        on_hand_sign=0,
        reserved_sign=1,
        order=order,
        actor=user,
    )
    OrderEvent.objects.create(
        order=order,
        kind="created",
        to_status=order.status,
        actor=user if getattr(user, "is_authenticated", False) else None,
    )
    cart.items.all().delete()
    transaction.on_commit(lambda: metrics.ORDERS.labels("created").inc())
    return order
