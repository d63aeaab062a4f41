"""Quick reorder: customers' saved SKU lists (typed in or copied from an order) and putting one into the cart."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from makrx.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from store.models import Cart, Order, Product, ReorderLine, ReorderList
from store.services import SYSTEM, actor_user
from store.services.cart import MAX_LINE_QUANTITY, cart_item_add

MAX_LINES = 500


def _owner(actor):
    user = actor_user(actor)
    if user is None:
        raise PermissionDenied("Sign in to keep reorder lists.", code="not_authenticated")
    return user


def _merged_lines(lines: list[dict]) -> dict[str, tuple[str, int]]:
    """{upper-case SKU: (SKU as first written, summed quantity)}; 400 for a bad line, naming it."""
    if len(lines) > MAX_LINES:
        raise ValidationError(f"A list holds at most {MAX_LINES} lines.", errors={"lines": ["Too many lines."]})
    merged: dict[str, tuple[str, int]] = {}
    errors: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        sku = str(line.get("sku") or "").strip()
        quantity = line.get("quantity")
        if not sku or len(sku) > 64:
            errors[f"lines[{index}].sku"] = ["A SKU of 1 to 64 characters."]
            continue
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            errors[f"lines[{index}].quantity"] = ["A whole number of at least 1."]
            continue
        first, total = merged.get(sku.upper(), (sku, 0))
        merged[sku.upper()] = (first, total + quantity)
    for key, (_, total) in merged.items():
        if total > MAX_LINE_QUANTITY:
            errors[key] = [f"At most {MAX_LINE_QUANTITY} in all."]
    if errors:
        raise ValidationError("Some lines are not valid.", errors=errors)
    return merged


def _write_lines(reorder_list: ReorderList, lines: list[dict]) -> None:
    merged = _merged_lines(lines)
    reorder_list.lines.all().delete()
    ReorderLine.objects.bulk_create(
        [ReorderLine(reorder_list=reorder_list, sku=sku, quantity=quantity) for sku, quantity in merged.values()]
    )


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError("A name of 1 to 200 characters.", errors={"name": ["Required, at most 200 characters."]})
    return name


@transaction.atomic
def reorder_list_create(*, actor, name: str, lines: list[dict]) -> ReorderList:
    """A new list of SKUs and quantities for the signed-in caller (the same SKU twice is summed)."""
    user = _owner(actor)
    reorder_list = ReorderList.objects.create(user=user, name=_check_name(name))
    _write_lines(reorder_list, lines)
    return reorder_list


@transaction.atomic
def reorder_list_replace_for_account(*, actor, user, name: str, lines: list[dict]) -> ReorderList:
    """The platform (``SYSTEM``: the bridge delivering a makerspace's low-stock list) writes the list ``name`` of a
    store account, replacing its lines when it exists: delivering the same list twice leaves one list."""
    if actor is not SYSTEM:
        raise PermissionDenied("Only the platform writes lists for an account.", code="not_platform")
    reorder_list = ReorderList.objects.select_for_update().filter(user=user, name=_check_name(name)).first()
    if reorder_list is None:
        reorder_list = ReorderList.objects.create(user=user, name=_check_name(name))
    _write_lines(reorder_list, lines)
    reorder_list.save(update_fields=["updated_at"])
    return reorder_list


@transaction.atomic
def reorder_list_from_order(*, actor, order_number: str, name: str = "") -> ReorderList:
    """A list copied from one of the caller's own orders (its SKUs and quantities); 404 for anyone else's."""
    user = _owner(actor)
    order = Order.objects.filter(number=str(order_number)[:32], user=user).first()
    if order is None:
        raise NotFound("No such order.", code="order_not_found")
    lines = [{"sku": line.sku, "quantity": line.quantity} for line in order.lines.order_by("id")]
    if not lines:
        raise ConflictError("That order has no lines to reorder.", code="order_empty")
    reorder_list = ReorderList.objects.create(
        user=user, name=_check_name(name or f"Reorder of {order.number}"), source_order=order
    )
    _write_lines(reorder_list, lines)
    return reorder_list


def _lock_own(*, actor, reorder_list: ReorderList) -> ReorderList:
    user = _owner(actor)
    locked = ReorderList.objects.select_for_update().filter(pk=reorder_list.pk, user=user).first()
    if locked is None:
        raise NotFound("No such reorder list.", code="reorder_list_not_found")
    return locked


@transaction.atomic
def reorder_list_update(*, actor, reorder_list: ReorderList, name: str | None = None, lines=None) -> ReorderList:
    """Rename a list and/or replace its lines (owner only)."""
    reorder_list = _lock_own(actor=actor, reorder_list=reorder_list)
    if name is not None:
        reorder_list.name = _check_name(name)
        reorder_list.save(update_fields=["name", "updated_at"])
    if lines is not None:
        _write_lines(reorder_list, lines)
    return reorder_list


@transaction.atomic
def reorder_list_delete(*, actor, reorder_list: ReorderList) -> None:
    _lock_own(actor=actor, reorder_list=reorder_list).delete()


@dataclass
class ToCartResult:
    """What ``reorder_list_to_cart`` did: lines added in full, lines short (with what was added), unknown SKUs."""

    added: list[dict] = field(default_factory=list)
    short: list[dict] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


@transaction.atomic
def reorder_list_to_cart(*, actor, reorder_list: ReorderList, cart: Cart) -> ToCartResult:
    """Put every line into the caller's cart through the cart service. A line with too little stock adds what
    is available (reported in ``short``); unknown, retired or other-currency SKUs are reported, never fatal."""
    reorder_list = _lock_own(actor=actor, reorder_list=reorder_list)
    lines = list(reorder_list.lines.order_by("id"))
    products = {
        product.sku.upper(): product
        for product in Product.objects.filter(active=True, sku__in=[line.sku for line in lines]).select_related("stock")
    }
    # SKUs written in another case than the catalog's: one more lookup for just those.
    missing = [line.sku for line in lines if line.sku.upper() not in products]
    for sku in missing:
        product = Product.objects.filter(active=True, sku__iexact=sku).select_related("stock").first()
        if product is not None:
            products[sku.upper()] = product
    in_cart = dict(cart.items.values_list("product_id", "quantity"))
    result = ToCartResult()
    for line in lines:
        product = products.get(line.sku.upper())
        if product is None:
            result.unknown.append(line.sku)
            continue
        stock = getattr(product, "stock", None)
        room = max((stock.available if stock else 0) - in_cart.get(product.pk, 0), 0)
        quantity = min(line.quantity, room)
        if quantity > 0:
            try:
                with transaction.atomic():
                    cart_item_add(actor=actor, cart=cart, product_id=product.pk, quantity=quantity)
            except (ConflictError, ValidationError, NotFound) as exc:
                result.short.append(
                    {"sku": product.sku, "requested": line.quantity, "added": 0, "available": room, "code": exc.code}
                )
                continue
            in_cart[product.pk] = in_cart.get(product.pk, 0) + quantity
        if quantity < line.quantity:
            result.short.append(
                {
                    "sku": product.sku,
                    "requested": line.quantity,
                    "added": quantity,
                    "available": room,
                    "code": "out_of_stock",
                }
            )
        else:
            result.added.append({"sku": product.sku, "quantity": quantity})
    return result
