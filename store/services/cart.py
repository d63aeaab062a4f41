"""Carts: the signed-in user's cart or an anonymous one addressed by a token, lines checked against stock,
and the merge of an anonymous cart into the user's cart."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from makrx.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from makrx.money import quantize_money
from store.models import Cart, CartCoupon, CartItem, Product, StockLevel
from store.models.cart import session_key_hash

MAX_LINE_QUANTITY = 10_000


@dataclass(frozen=True)
class CartTotals:
    """Prices are tax-exclusive catalog prices; a coupon's ``discount`` comes off the subtotal, then tax
    (DEFAULT_TAX_RATE %) is added on top of what remains."""

    subtotal: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    item_count: int
    discount: Decimal = Decimal("0.00")


def cart_totals(*, cart: Cart, items: list[CartItem], discount: Decimal = Decimal("0.00")) -> CartTotals:
    """Totals from the current catalog prices (never from a client), less a coupon ``discount`` (already
    priced by ``services.coupons``; never more than the subtotal)."""
    subtotal = quantize_money(sum((item.product.price * item.quantity for item in items), Decimal("0")))
    discount = min(quantize_money(discount), subtotal)
    rate = Decimal(settings.DEFAULT_TAX_RATE)
    tax = quantize_money((subtotal - discount) * rate / Decimal(100))
    return CartTotals(
        subtotal=subtotal,
        tax_rate=rate,
        tax=tax,
        total=subtotal - discount + tax,
        item_count=sum(item.quantity for item in items),
        discount=discount,
    )


def _user_cart(user) -> Cart:
    try:
        with transaction.atomic():
            cart, _ = Cart.objects.get_or_create(user=user)
    except IntegrityError:  # created concurrently
        cart = Cart.objects.get(user=user)
    return cart


def _anonymous_cart(token: str) -> Cart:
    cart = Cart.objects.filter(token=token, user__isnull=True).first()
    if cart is None or cart.merged_at is not None:
        raise NotFound("No open cart with that X-Cart-Token; drop it and start a new cart.", code="cart_not_found")
    return cart


def cart_resolve(*, user, token: str | None, create: bool = True) -> Cart | None:
    """The cart a request works on.

    Signed in: the user's cart; a token of an open anonymous cart in the same request merges that cart into
    it first (the merge trigger). Anonymous: the token's cart, or a new cart with a fresh token when there is
    no token and ``create``. Unknown or merged tokens: 404 ``cart_not_found`` (anonymous only; a signed-in
    request ignores a stale token).
    """
    token = (token or "").strip() or None
    if getattr(user, "is_authenticated", False):
        cart = _user_cart(user) if create else Cart.objects.filter(user=user).first()
        if token:
            anonymous = Cart.objects.filter(token=token, user__isnull=True, merged_at__isnull=True).first()
            if anonymous is not None:
                cart = cart or _user_cart(user)
                cart_merge(source=anonymous, target=cart)
        return cart
    if token:
        return _anonymous_cart(token)
    if not create:
        return None
    return Cart.objects.create(token=secrets.token_urlsafe(32))


def _session_cart(*, digest: str, create: bool) -> Cart | None:
    cart = Cart.objects.filter(session_key_hash=digest, user__isnull=True, merged_at__isnull=True).first()
    if cart is not None or not create:
        return cart
    try:
        with transaction.atomic():
            return Cart.objects.create(token=secrets.token_urlsafe(32), session_key_hash=digest)
    except IntegrityError:  # the same browser's first two calls raced: use the one that won
        return Cart.objects.get(session_key_hash=digest, user__isnull=True, merged_at__isnull=True)


def cart_resolve_by_session(*, user, session_id: str | None, create: bool = True) -> Cart | None:
    """The cart of a request that names its browser by ``X-Session-ID`` (the earlier store front).

    A guest's session maps onto an ordinary anonymous cart with its own token (created on first use when
    ``create``), found again by a keyed hash of the session id; the id itself is never stored. Signed in: the
    user's cart, with the session's open guest cart merged into it first, exactly as ``cart_resolve`` merges
    a token's cart. A guest without a session id has no cart (``None``).
    """
    signed_in = getattr(user, "is_authenticated", False)
    guest = None
    if session_id:
        guest = _session_cart(digest=session_key_hash(session_id), create=create and not signed_in)
    if signed_in:
        return cart_resolve(user=user, token=guest.token if guest else None, create=create)
    return guest


def cart_require(*, user, token: str | None) -> Cart:
    """The caller's existing cart (merging a token's cart as ``cart_resolve`` does); 404 when there is none."""
    cart = cart_resolve(user=user, token=token, create=False)
    if cart is None:
        raise NotFound("There is no cart yet.", code="cart_not_found")
    return cart


@transaction.atomic
def cart_merge(*, source: Cart, target: Cart) -> Cart:
    """Move an anonymous cart's lines into ``target``: quantities summed, capped at available stock; lines
    with nothing available are dropped. The source is marked merged (kept for the record) and never used again.
    """
    source = Cart.objects.select_for_update().get(pk=source.pk)
    if source.merged_at is not None or source.pk == target.pk:
        return target
    Cart.objects.select_for_update().get(pk=target.pk)
    existing = {item.product_id: item for item in target.items.all()}
    incoming = list(source.items.select_related("product__stock"))
    for item in incoming:
        available = _available(item.product)
        current = existing.get(item.product_id)
        wanted = min(item.quantity + (current.quantity if current else 0), available, MAX_LINE_QUANTITY)
        if current is not None:
            if wanted > 0 and wanted != current.quantity:
                current.quantity = wanted
                current.save(update_fields=["quantity", "updated_at"])
        elif wanted > 0 and item.product.active:
            CartItem.objects.create(cart=target, product=item.product, quantity=wanted)
    # A coupon the guest applied follows the lines, unless the signed-in cart already has one.
    if not CartCoupon.objects.filter(cart=target).exists():
        CartCoupon.objects.filter(cart=source).update(cart=target)
    source.merged_into = target
    source.merged_at = timezone.now()
    source.save(update_fields=["merged_into", "merged_at", "updated_at"])
    return target


def _available(product: Product) -> int:
    stock = getattr(product, "stock", None)
    return stock.available if stock is not None else 0


def _product_for_cart(*, product_id: int | None, sku: str | None) -> Product:
    queryset = Product.objects.select_related("stock").filter(active=True)
    if product_id is not None:
        product = queryset.filter(pk=product_id).first()
    else:
        product = queryset.filter(sku__iexact=sku).first()
    if product is None:
        raise NotFound("No active product with that id or SKU.", code="product_not_found")
    return product


def _check_quantity(*, product: Product, quantity: int) -> None:
    if quantity < 1 or quantity > MAX_LINE_QUANTITY:
        raise ValidationError(
            f"Quantity must be between 1 and {MAX_LINE_QUANTITY}.", errors={"quantity": ["Out of range."]}
        )
    available = StockLevel.objects.filter(product_id=product.pk).values_list("on_hand", "reserved").first()
    available = available[0] - available[1] if available else 0
    if quantity > available:
        raise ConflictError(
            f"Only {available} of {product.sku} available.",
            code="out_of_stock",
            errors={product.sku: [f"Only {available} available."]},
        )


def _check_cart_actor(*, cart: Cart, actor) -> None:
    """A signed-in user's cart is changed by that user only; an anonymous cart by whoever resolved it by its
    token (``cart_resolve``: holding the token is the proof)."""
    if cart.user_id is not None and cart.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("This is not your cart.")


@transaction.atomic
def cart_item_add(
    *, actor, cart: Cart, quantity: int, product_id: int | None = None, sku: str | None = None
) -> CartItem:
    """Add units of a product (by id or SKU); an existing line grows. 409 ``out_of_stock`` beyond what is
    available, 404 ``product_not_found`` for an unknown or inactive product, 400 for another currency."""
    _check_cart_actor(cart=cart, actor=actor)
    product = _product_for_cart(product_id=product_id, sku=sku)
    cart = Cart.objects.select_for_update().get(pk=cart.pk)
    if cart.merged_at is not None:
        raise NotFound("This cart was merged into a signed-in cart.", code="cart_not_found")
    item = CartItem.objects.filter(cart=cart, product=product).first()
    if product.currency != cart.currency:
        if cart.items.exists():
            raise ValidationError(
                f"{product.sku} is priced in {product.currency}; this cart is in {cart.currency}.",
                code="currency_mismatch",
            )
        cart.currency = product.currency
        cart.save(update_fields=["currency", "updated_at"])
    new_quantity = quantity + (item.quantity if item else 0)
    _check_quantity(product=product, quantity=new_quantity)
    if item is None:
        return CartItem.objects.create(cart=cart, product=product, quantity=new_quantity)
    item.quantity = new_quantity
    item.save(update_fields=["quantity", "updated_at"])
    return item


def _cart_item(*, cart: Cart, item_id: int) -> CartItem:
    item = CartItem.objects.select_related("product").filter(cart=cart, pk=item_id).first()
    if item is None:
        raise NotFound("No such line in this cart.", code="cart_item_not_found")
    return item


@transaction.atomic
def cart_item_update(*, actor, cart: Cart, item_id: int, quantity: int) -> CartItem | None:
    """Set a line's quantity (0 removes it; returns None then)."""
    _check_cart_actor(cart=cart, actor=actor)
    item = _cart_item(cart=cart, item_id=item_id)
    if quantity == 0:
        item.delete()
        return None
    _check_quantity(product=item.product, quantity=quantity)
    item.quantity = quantity
    item.save(update_fields=["quantity", "updated_at"])
    return item


@transaction.atomic
def cart_item_delete(*, actor, cart: Cart, item_id: int) -> None:
    """Remove a line."""
    _check_cart_actor(cart=cart, actor=actor)
    _cart_item(cart=cart, item_id=item_id).delete()


def carts_purge_abandoned(*, now=None) -> int:
    """Delete anonymous carts nobody came back to; returns how many went.

    Every anonymous first call creates a cart, so crawlers leave a trail of empty ones: an
    empty anonymous cart goes after ``STORE_EMPTY_CART_TTL_HOURS`` idle, one with items after
    ``STORE_ANONYMOUS_CART_TTL_DAYS``. A cart that placed an order stays (guests read their
    order with its token); signed-in users' carts are never purged.
    """
    from datetime import timedelta

    from django.db.models import Count, Exists, Max, OuterRef, Q
    from django.db.models.functions import Coalesce, Greatest

    from store.models import Order

    now = now or timezone.now()
    empty_cutoff = now - timedelta(hours=settings.STORE_EMPTY_CART_TTL_HOURS)
    stale_cutoff = now - timedelta(days=settings.STORE_ANONYMOUS_CART_TTL_DAYS)
    candidates = (
        Cart.objects.filter(user__isnull=True)
        .annotate(
            has_order=Exists(Order.objects.filter(cart=OuterRef("pk"))),
            item_count=Count("items", distinct=True),
            last_activity=Greatest("updated_at", Coalesce(Max("items__updated_at"), "updated_at")),
        )
        .filter(has_order=False)
        .filter(Q(item_count=0, last_activity__lt=empty_cutoff) | Q(last_activity__lt=stale_cutoff))
    )
    ids = list(candidates.values_list("pk", flat=True)[:10_000])
    if not ids:
        return 0
    _, per_model = Cart.objects.filter(pk__in=ids, user__isnull=True).delete()
    return per_model.get(Cart._meta.label, 0)
