"""Coupons: applying a code to a cart, pricing it, redeeming it inside checkout, releasing it on cancel/refund.

Lock order at checkout (``services.checkout.order_checkout``): cart row, then the coupon row, then the stock
rows by product id. Redemptions are counted under the coupon's row lock, so concurrent checkouts never
redeem past ``max_redemptions``. Releasing a redemption (order cancelled or refunded) only frees a use: it
needs no coupon lock, since it can never push a count over a limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from makrx.errors import ConflictError, PermissionDenied, ValidationError
from makrx.money import quantize_money
from store.models import Cart, CartCoupon, CartItem, Coupon, CouponRedemption, Order, Product
from store.services import require_store_staff

MAX_CODE_LENGTH = 40


@dataclass(frozen=True)
class CouponPrice:
    """What a coupon takes off a cart: ``discount`` (before tax) from ``eligible`` (the items it applies to)."""

    coupon: Coupon
    eligible: Decimal
    discount: Decimal


def normalize_code(code: str) -> str:
    return (code or "").strip().upper()


def coupon_find(*, code: str) -> Coupon:
    """The active coupon with that code (any case), else 400 ``coupon_invalid``."""
    code = normalize_code(code)
    coupon = Coupon.objects.filter(code=code, active=True).first() if 0 < len(code) <= MAX_CODE_LENGTH else None
    if coupon is None:
        raise ValidationError("That coupon code is not valid.", code="coupon_invalid", errors={"code": ["Unknown."]})
    return coupon


def _eligible_product_ids(*, coupon: Coupon, product_ids: list[int]) -> set[int]:
    """The cart's products a coupon applies to: all without restrictions, else the listed products and the
    products of the listed categories or any category below them (materialized-path prefix)."""
    category_paths = list(coupon.categories.values_list("path", flat=True))
    listed = set(coupon.products.filter(pk__in=product_ids).values_list("pk", flat=True))
    if not category_paths and not coupon.products.exists():
        return set(product_ids)
    if category_paths:
        subtree = Q()
        for path in category_paths:
            subtree |= Q(category__path__startswith=path)
        listed |= set(Product.objects.filter(subtree, pk__in=product_ids).values_list("pk", flat=True))
    return listed


def _customer_redemptions(*, coupon: Coupon, user, email: str) -> int:
    live = CouponRedemption.objects.filter(coupon=coupon, released_at__isnull=True)
    if getattr(user, "is_authenticated", False) and user.pk is not None:
        return live.filter(user_id=user.pk).count()
    if email:
        return live.filter(email=email.strip().lower()).count()
    return 0


def coupon_price(
    *, coupon: Coupon, cart: Cart, items: list[CartItem], user=None, email: str = "", now=None
) -> CouponPrice:
    """Check a coupon against a cart and price it; each refusal is 409 with its code (``coupon_expired``,
    ``coupon_exhausted``, ``coupon_minimum_not_met``, ``coupon_not_applicable``) or 400 ``coupon_invalid``.

    At checkout call it with the coupon row locked (``coupon_lock``) so the redemption counts are final.
    """
    now = now or timezone.now()
    if not coupon.active:
        raise ValidationError("That coupon code is not valid.", code="coupon_invalid", errors={"code": ["Inactive."]})
    if (coupon.starts_at and now < coupon.starts_at) or (coupon.ends_at and now >= coupon.ends_at):
        raise ConflictError("This coupon is not valid at this time.", code="coupon_expired")
    if coupon.max_redemptions is not None:
        used = CouponRedemption.objects.filter(coupon=coupon, released_at__isnull=True).count()
        if used >= coupon.max_redemptions:
            raise ConflictError("This coupon has been used up.", code="coupon_exhausted")
    limit = coupon.max_redemptions_per_customer
    if limit is not None and _customer_redemptions(coupon=coupon, user=user, email=email) >= limit:
        raise ConflictError("You have already used this coupon.", code="coupon_exhausted")
    if coupon.currency != cart.currency and (coupon.kind == Coupon.Kind.FIXED or coupon.minimum_subtotal > 0):
        raise ConflictError(f"This coupon is for {coupon.currency} carts.", code="coupon_not_applicable")
    subtotal = quantize_money(sum((item.product.price * item.quantity for item in items), Decimal("0")))
    if subtotal < coupon.minimum_subtotal:
        raise ConflictError(
            f"This coupon needs an order of at least {coupon.minimum_subtotal} {coupon.currency}.",
            code="coupon_minimum_not_met",
        )
    eligible_ids = _eligible_product_ids(coupon=coupon, product_ids=[item.product_id for item in items])
    eligible = quantize_money(
        sum((item.product.price * item.quantity for item in items if item.product_id in eligible_ids), Decimal("0"))
    )
    if eligible <= 0:
        raise ConflictError("This coupon does not apply to anything in your cart.", code="coupon_not_applicable")
    if coupon.kind == Coupon.Kind.PERCENT:
        discount = quantize_money(eligible * coupon.value / Decimal(100))
    else:
        discount = min(quantize_money(coupon.value), eligible)
    return CouponPrice(coupon=coupon, eligible=eligible, discount=min(discount, subtotal))


def _check_cart_actor(*, cart: Cart, actor) -> None:
    if cart.user_id is not None and cart.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("This is not your cart.")


@transaction.atomic
def cart_coupon_apply(*, actor, cart: Cart, code: str) -> CouponPrice:
    """Apply a code to the caller's cart (replacing any other): checked and priced now, again at checkout."""
    _check_cart_actor(cart=cart, actor=actor)
    cart = Cart.objects.select_for_update().get(pk=cart.pk)
    coupon = coupon_find(code=code)
    items = list(cart.items.select_related("product").order_by("product_id"))
    if not items:
        raise ValidationError("The cart is empty.", code="cart_empty")
    price = coupon_price(coupon=coupon, cart=cart, items=items, user=actor)
    CartCoupon.objects.update_or_create(cart=cart, defaults={"coupon": coupon})
    return price


@transaction.atomic
def cart_coupon_remove(*, actor, cart: Cart) -> None:
    """Take the coupon off the cart (nothing to do when there is none)."""
    _check_cart_actor(cart=cart, actor=actor)
    CartCoupon.objects.filter(cart=cart).delete()


def cart_coupon_preview(*, cart: Cart, items: list[CartItem], user=None) -> tuple[str, Decimal, str]:
    """For showing a cart: (code, discount, problem code). A coupon that no longer fits shows a zero discount
    and its refusal code; checkout refuses it then (the customer removes it or changes the cart)."""
    applied = CartCoupon.objects.filter(cart=cart).select_related("coupon").first()
    if applied is None:
        return "", Decimal("0.00"), ""
    if not items:
        return applied.coupon.code, Decimal("0.00"), "cart_empty"
    try:
        price = coupon_price(coupon=applied.coupon, cart=cart, items=items, user=user)
    except (ConflictError, ValidationError) as exc:
        return applied.coupon.code, Decimal("0.00"), exc.code
    return applied.coupon.code, price.discount, ""


def coupon_lock(*, coupon_id: int) -> Coupon:
    return Coupon.objects.select_for_update().get(pk=coupon_id)


def checkout_coupon_price(*, cart: Cart, items: list[CartItem], user, email: str, code: str = "") -> CouponPrice | None:
    """Inside checkout, after the cart lock: the coupon named by ``code`` (a checkout that names one), else the
    cart's, locked and priced; refusals abort the checkout."""
    if normalize_code(code):
        applied = coupon_find(code=code).pk
    else:
        applied = CartCoupon.objects.filter(cart=cart).values_list("coupon_id", flat=True).first()
    if applied is None:
        return None
    coupon = coupon_lock(coupon_id=applied)
    return coupon_price(coupon=coupon, cart=cart, items=items, user=user, email=email)


def coupon_redeem(*, price: CouponPrice, order: Order) -> CouponRedemption:
    """Record the use (inside checkout, coupon row still locked) and take the coupon off the cart."""
    redemption = CouponRedemption.objects.create(
        coupon=price.coupon,
        order=order,
        user=order.user,
        email=(order.email or "").strip().lower(),
        amount=price.discount,
    )
    if order.cart_id:
        CartCoupon.objects.filter(cart_id=order.cart_id).delete()
    return redemption


def coupon_redemption_release(*, order: Order) -> bool:
    """An order cancelled (also when it expires unpaid) or refunded gives its coupon use back; idempotent."""
    return bool(
        CouponRedemption.objects.filter(order=order, released_at__isnull=True).update(released_at=timezone.now())
    )


@transaction.atomic
def coupon_save(*, actor, coupon: Coupon) -> Coupon:
    """Store staff create or change a coupon (the admin form): its fields and constraints validated, the code
    unique whatever its case (400 ``coupon_code_taken``)."""
    require_store_staff(actor, action="change coupons")
    coupon.code = normalize_code(coupon.code)
    if Coupon.objects.filter(code=coupon.code).exclude(pk=coupon.pk).exists():
        raise ValidationError("Another coupon has that code.", code="coupon_code_taken", errors={"code": ["Taken."]})
    try:
        coupon.full_clean(validate_unique=False)
    except DjangoValidationError as exc:
        raise ValidationError("The coupon is not valid.", errors=exc.message_dict) from exc
    coupon.save()
    return coupon


@transaction.atomic
def coupon_deactivate(*, actor, coupon: Coupon) -> Coupon:
    """Store staff: stop a coupon being applied or redeemed (past redemptions stay)."""
    require_store_staff(actor, action="deactivate coupons")
    coupon = coupon_lock(coupon_id=coupon.pk)
    if coupon.active:
        coupon.active = False
        coupon.save(update_fields=["active", "updated_at"])
    return coupon


@transaction.atomic
def coupon_activate(*, actor, coupon: Coupon) -> Coupon:
    """Store staff: make a coupon usable again."""
    require_store_staff(actor, action="activate coupons")
    coupon = coupon_lock(coupon_id=coupon.pk)
    if not coupon.active:
        coupon.active = True
        coupon.save(update_fields=["active", "updated_at"])
    return coupon
