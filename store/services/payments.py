"""Store payments through the platform's one flow (``makrx.payments``): the ``store.order`` purpose (what a
captured, failed or refunded payment does to an order), paying an order with a provider, staff marking an
order paid offline, and refunding an order's money."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from makrx.auth.roles import is_store_staff
from makrx.errors import ConflictError, InvalidTransition, PermissionDenied
from makrx.notifications import notify
from makrx.payments import register_purpose
from makrx.payments.models import Payment, Refund
from makrx.payments.refunds import refund_create
from makrx.payments.services import PaymentStart, payment_record_offline, payment_start
from makrx.payments.webhooks import webhook_rejected_purge
from store.models import Order, OrderEvent
from store.selectors.orders import ORDER_PAYMENT_PURPOSE
from store.services import SYSTEM, actor_user, require_store_staff

PURPOSE = ORDER_PAYMENT_PURPOSE
S = Order.Status
PAID_STATUSES = (Payment.Status.CAPTURED, Payment.Status.PARTIALLY_REFUNDED)

__all__ = [
    "PURPOSE",
    "PaymentStart",
    "order_mark_paid_offline",
    "order_payments_list",
    "order_refund_money",
    "payment_create",
    "register",
    "webhook_rejected_purge",
]


def _store_actor(actor):
    """Whoever the platform hands us: store staff act as themselves, the platform (a verified provider
    payment) as the store's ``SYSTEM``."""
    return actor if is_store_staff(actor) else SYSTEM


def _on_captured(payment: Payment, actor) -> None:
    """The money for an order is in: the order becomes paid (stock sold, service order paid, customer told).

    Refuses (409) money that is not the order's total, and an order that can no longer be paid.
    """
    from store.services.orders import order_mark_paid

    order = Order.objects.select_for_update().filter(number=payment.reference).first()
    if order is None:
        raise ConflictError(f"No store order {payment.reference}.", code="order_not_found")
    if payment.amount != order.total or payment.currency.upper() != order.currency.upper():
        raise ConflictError(
            f"The order's total is {order.total} {order.currency}, not {payment.amount} {payment.currency}.",
            code="amount_mismatch",
        )
    if order.status != S.PENDING_PAYMENT:
        OrderEvent.objects.create(
            order=order,
            kind="payment_after_close",
            note=f"Payment {payment.provider} {payment.provider_ref or payment.pk} for an order that is {order.status}.",
            data={"payment": payment.pk},
        )
        raise InvalidTransition(f"An order that is {order.status} cannot be paid.")
    order_mark_paid(
        actor=_store_actor(actor),
        order=order,
        data={
            "payment": payment.pk,
            "provider": payment.provider,
            "provider_ref": payment.provider_ref,
            "offline_reference": payment.offline_reference,
        },
    )
    if order.user_id:
        notify(
            order.user_id,
            "order.paid",
            {"order": order.number, "total": str(order.total), "currency": order.currency, "method": payment.provider},
        )


def _on_failed(payment: Payment, actor) -> None:
    order = Order.objects.filter(number=payment.reference).first()
    if order is not None:
        OrderEvent.objects.create(
            order=order, kind="payment_failed", note=payment.error[:500], data={"provider_ref": payment.provider_ref}
        )


def _on_refunded(payment: Payment, refund, actor) -> None:
    """A refund went through: logged on the order; once nothing paid is left, the order is refunded."""
    from store.services.orders import order_lock, order_transition

    order = Order.objects.filter(number=payment.reference).first()
    if order is None:
        return
    order = order_lock(order_id=order.pk)
    OrderEvent.objects.create(
        order=order,
        kind="refund",
        actor=actor_user(actor),
        note=refund.reason,
        data={"refund": refund.pk, "amount": str(refund.amount), "currency": refund.currency},
    )
    still_paid = Payment.objects.filter(purpose=PURPOSE, reference=order.number, status__in=PAID_STATUSES).exists()
    if not still_paid and order.status in (S.PAID, S.FULFILLED):
        order_transition(
            order=order, to_status=S.REFUNDED, actor=_store_actor(actor), kind="refunded", note=refund.reason
        )


def _authorize(actor, reference: str, action: str) -> None:
    require_store_staff(actor, action="record or refund order payments")


def register() -> None:
    """Called from ``StoreConfig.ready``."""
    register_purpose(
        PURPOSE,
        on_captured=_on_captured,
        on_failed=_on_failed,
        on_refunded=_on_refunded,
        describe=lambda reference: f"Store order {reference}",
        authorize=_authorize,
        refund_destinations=("original",),
    )


def order_payments_list(*, order: Order):
    return Payment.objects.filter(purpose=PURPOSE, reference=order.number).order_by("created_at", "id")


def payment_create(
    *,
    order: Order,
    actor=None,
    cart_token: str | None = None,
    provider: str = "stripe",
    idempotency_key: str | None = None,
) -> PaymentStart:
    """Start (or return again) the provider payment for an unpaid order's total.

    The owner, the guest holding the cart token, or store staff may pay; the order must be pending payment.
    The same order and amount give the same provider object (Stripe PaymentIntent, Razorpay order).
    """
    owner = getattr(actor, "is_authenticated", False) and order.user_id == actor.pk
    guest = order.user_id is None and cart_token and order.cart_id and order.cart.token == cart_token
    if not (owner or guest or is_store_staff(actor)):
        raise PermissionDenied("You cannot pay for this order.")
    if order.status != S.PENDING_PAYMENT:
        raise InvalidTransition(f"An order that is {order.status} cannot be paid.")
    started = payment_start(
        purpose=PURPOSE,
        reference=order.number,
        amount=order.total,
        currency=order.currency,
        provider=provider,
        actor=actor,
        idempotency_key=idempotency_key,
        description=f"Order {order.number}",
        customer_email=order.email or "",
    )
    with transaction.atomic():
        if not OrderEvent.objects.filter(
            order=order, kind="payment_started", data__payment=started.payment.pk
        ).exists():
            OrderEvent.objects.create(
                order=order,
                kind="payment_started",
                actor=actor_user(actor),
                data={
                    "payment": started.payment.pk,
                    "provider": provider,
                    "provider_ref": started.payment.provider_ref,
                },
            )
    return started


def order_mark_paid_offline(*, order: Order, method: str, reference: str = "", actor) -> Order:
    """Store staff: the customer paid outside the gateway (cash, bank transfer, UPI). Recorded as a platform
    payment with the staff member as actor; the order is paid exactly as a provider payment pays it."""
    require_store_staff(actor, action="mark orders paid")
    if order.status != S.PENDING_PAYMENT:
        raise InvalidTransition(f"An order that is {order.status} cannot be paid.")
    payment_record_offline(
        purpose=PURPOSE,
        reference=order.number,
        amount=order.total,
        currency=order.currency,
        method=method,
        reference_text=reference,
        actor=actor,
    )
    order.refresh_from_db()
    return order


def order_refund_money(*, order: Order, actor, amount: Decimal | None = None, reason: str = "") -> Order:
    """Store staff: give back ``amount`` (default: everything still paid) of an order's money, through the
    provider it came from (offline payments: recorded as given back). Partial refunds leave the order as it
    is; the last one makes it ``refunded`` (stock back on the shelf if it had not shipped). An order paid
    without a payment record (marked paid before payments were recorded) is refunded as a state change."""
    require_store_staff(actor, action="refund orders")
    if order.status not in (S.PAID, S.FULFILLED):
        raise InvalidTransition(f"An order that is {order.status} cannot be refunded.")
    payments = list(order_payments_list(order=order).filter(status__in=PAID_STATUSES))
    if not payments:
        if amount is not None:
            raise ConflictError("This order has no recorded payment to refund from.", code="refund_exceeds_paid")
        from store.services.orders import order_refund

        return order_refund(order=order, actor=actor, note=reason)
    left = sum((p.refundable for p in payments), Decimal("0"))
    wanted = left if amount is None else Decimal(amount)
    if wanted <= 0 or wanted > left:
        raise ConflictError(
            f"At most {left} {order.currency} of this order can still be refunded.", code="refund_exceeds_paid"
        )
    failed = []
    for payment in payments:
        if wanted <= 0:
            break
        part = min(wanted, payment.refundable)
        if part > 0:
            refund = refund_create(payment=payment, amount=part, actor=actor, reason=reason)
            if refund.status == Refund.Status.FAILED:
                failed.append(refund.error)
                break  # send no more money out after a refusal
            wanted -= part
    if failed:
        # Recorded (admin: refunds) and nothing reserved; the order stays as it was.
        raise ConflictError(f"The provider refused the refund: {failed[0]}", code="refund_failed")
    order.refresh_from_db()
    return order
