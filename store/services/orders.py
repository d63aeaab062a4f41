"""Order lifecycle: the one state machine (pending_payment -> paid -> fulfilled, cancelled, refunded)
with its stock effects, events and metrics."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from makrx import metrics
from makrx.auth.roles import is_store_staff
from makrx.errors import InvalidTransition, PermissionDenied
from store.models import Order, OrderEvent, StockMovement
from store.services import actor_user, require_store_staff
from store.services.coupons import coupon_redemption_release
from store.services.stock import stock_apply

S = Order.Status

# Allowed moves and what each does to stock: (on_hand sign, reserved sign, movement kind) or None.
TRANSITIONS: dict[tuple[str, str], tuple[int, int, str] | None] = {
    (S.PENDING_PAYMENT, S.PAID): (-1, -1, StockMovement.Kind.SALE),  # reserved units leave for good
    (S.PENDING_PAYMENT, S.CANCELLED): (0, -1, StockMovement.Kind.RELEASE),
    (S.PAID, S.FULFILLED): None,
    (S.PAID, S.CANCELLED): (1, 0, StockMovement.Kind.RETURN),  # not shipped: back on the shelf
    (S.PAID, S.REFUNDED): (1, 0, StockMovement.Kind.RETURN),
    (S.FULFILLED, S.REFUNDED): None,  # shipped: the goods are with the customer
}

TIMESTAMP_FIELDS = {
    S.PAID: "paid_at",
    S.FULFILLED: "fulfilled_at",
    S.CANCELLED: "cancelled_at",
    S.REFUNDED: "refunded_at",
}


def order_lock(*, order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def order_transition(
    *, order: Order, to_status: str, actor=None, kind: str = "status_changed", note: str = "", data=None
) -> Order:
    """Move a (locked) order to ``to_status``, applying the stock effect; 409 ``invalid_transition`` if illegal.

    Must run inside a transaction with the order row locked (``order_lock``).
    """
    from_status = order.status
    if (from_status, to_status) not in TRANSITIONS:
        raise InvalidTransition(f"An order that is {from_status} cannot become {to_status}.")
    effect = TRANSITIONS[(from_status, to_status)]
    if effect is not None:
        on_hand_sign, reserved_sign, movement = effect
        quantities: dict[int, int] = {}
        for line in order.lines.all():
            if line.product_id is not None:
                quantities[line.product_id] = quantities.get(line.product_id, 0) + line.quantity
        stock_apply(
            quantities=quantities,
            kind=movement,
            on_hand_sign=on_hand_sign,
            reserved_sign=reserved_sign,
            order=order,
            actor=actor,
        )
    now = timezone.now()
    order.status = to_status
    setattr(order, TIMESTAMP_FIELDS[to_status], now)
    order.save(update_fields=["status", TIMESTAMP_FIELDS[to_status], "updated_at"])
    OrderEvent.objects.create(
        order=order,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor_user(actor),
        note=note,
        data=data or {},
    )
    if to_status in (S.CANCELLED, S.REFUNDED):
        coupon_redemption_release(order=order)  # the coupon use is given back (docs/store.md, Coupons)
    transaction.on_commit(lambda: metrics.ORDERS.labels(to_status).inc())
    # Maker services: paying (or cancelling/refunding) the store order moves its service order, in this transaction.
    from store.services.service_orders import service_order_mirror_order

    service_order_mirror_order(order=order, actor=actor)
    return order


def _can_act_as_customer(*, order: Order, actor, cart_token: str | None) -> bool:
    if getattr(actor, "is_authenticated", False) and order.user_id == actor.pk:
        return True
    return bool(order.user_id is None and cart_token and order.cart_id and order.cart.token == cart_token)


@transaction.atomic
def order_cancel(*, order: Order, actor=None, cart_token: str | None = None, reason: str = "") -> Order:
    """Customers cancel their unpaid orders; store staff also cancel paid ones (stock returned)."""
    order = order_lock(order_id=order.pk)
    if is_store_staff(actor):
        return order_transition(order=order, to_status=S.CANCELLED, actor=actor, note=reason)
    if not _can_act_as_customer(order=order, actor=actor, cart_token=cart_token):
        raise PermissionDenied("You cannot cancel this order.")
    if order.status != S.PENDING_PAYMENT:
        raise InvalidTransition("Only unpaid orders can be cancelled by the customer; contact the store.")
    return order_transition(order=order, to_status=S.CANCELLED, actor=actor, note=reason)


@transaction.atomic
def order_fulfil(*, order: Order, actor, note: str = "") -> Order:
    """Store staff: a paid order has shipped."""
    require_store_staff(actor, action="fulfil orders")
    order = order_lock(order_id=order.pk)
    return order_transition(order=order, to_status=S.FULFILLED, actor=actor, note=note)


@transaction.atomic
def order_refund(*, order: Order, actor, note: str = "") -> Order:
    """Store staff: refund a paid order (stock back on the shelf) or a fulfilled one (stock stays out).

    The money goes back through the provider's dashboard; this records the refund.
    """
    require_store_staff(actor, action="refund orders")
    order = order_lock(order_id=order.pk)
    return order_transition(order=order, to_status=S.REFUNDED, actor=actor, note=note)


@transaction.atomic
def order_mark_paid(*, order: Order, actor, data=None, note: str = "") -> tuple[Order, bool]:
    """Mark an order paid exactly once (store staff, or ``SYSTEM`` for a verified provider payment).
    Returns (order, changed); already paid/fulfilled → (order, False)."""
    require_store_staff(actor, action="mark orders paid")
    order = order_lock(order_id=order.pk)
    if order.status in (S.PAID, S.FULFILLED):
        return order, False
    order_transition(order=order, to_status=S.PAID, actor=actor, kind="payment", note=note, data=data)
    return order, True


def order_release_expired(*, order_id: int, now: datetime | None = None) -> bool:
    """Cancel one unpaid order past ``expires_at`` and release its stock; False if nothing to do (idempotent)."""
    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update(skip_locked=True).filter(pk=order_id).first()
        if order is None or order.status != S.PENDING_PAYMENT or order.expires_at is None or order.expires_at > now:
            return False
        order_transition(order=order, to_status=S.CANCELLED, kind="expired", note="Unpaid in time: stock released.")
    return True


def orders_release_expired(*, now: datetime | None = None, limit: int = 500) -> int:
    """Release every unpaid order past its payment deadline (one short transaction each); returns the count."""
    now = now or timezone.now()
    ids = list(
        Order.objects.filter(status=S.PENDING_PAYMENT, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(order_release_expired(order_id=order_id, now=now) for order_id in ids)
