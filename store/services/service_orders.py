"""Service orders: a quote becomes a store order to pay (the existing checkout/payment flow), its status mirrors
that order's payment, and a paid one is published to a makerspace as a bridge job message."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from makrx import events
from makrx.auth.roles import is_store_staff
from makrx.errors import ConflictError, InvalidTransition, NotFound, PermissionDenied, ValidationError
from makrx.notifications import notify
from store.models import Cart, Order, OrderEvent, OrderLine, Process, Quote, ServiceCapability, ServiceOrder
from store.models import ServiceOrderEvent as Event
from store.services import SYSTEM, actor_user
from store.services.checkout import order_number_for

S = ServiceOrder.Status
# Published and not yet handed over: cancelling or refunding the store order then cancels the makerspace job too.
PUBLISHED_OPEN = {S.DISPATCHED, S.PENDING_ASSIGNMENT, S.ASSIGNED_TO_PROVIDER, S.IN_PRODUCTION, S.READY_FOR_SHIPPING}
# Store order status -> the service order status it implies (only from the statuses listed).
ORDER_MIRROR = {
    Order.Status.PAID: (S.PAID, {S.PAYMENT_PENDING}),
    Order.Status.CANCELLED: (S.CANCELLED, {S.PAYMENT_PENDING, S.PAID, *PUBLISHED_OPEN}),
    Order.Status.REFUNDED: (S.CANCELLED, {S.PAYMENT_PENDING, S.PAID, *PUBLISHED_OPEN}),
}


def _event(service_order: ServiceOrder, *, kind: str, actor=None, from_status="", note="", data=None) -> None:
    Event.objects.create(
        service_order=service_order,
        kind=kind,
        from_status=from_status,
        to_status=service_order.status,
        actor=actor_user(actor),
        note=note,
        data=data or {},
    )


def service_order_title(quote: Quote) -> str:
    what = "3D printing" if quote.process == Process.PRINT_3D else "Laser cutting"
    return f"{what}: {quote.upload.original_name} x {quote.quantity} ({quote.material.name})"[:255]


@transaction.atomic
def service_order_create(
    *,
    actor,
    cart: Cart | None,
    quote: Quote,
    delivery: str,
    shipping_address: dict | None = None,
    pickup_makerspace: int | None = None,
    email: str = "",
) -> ServiceOrder:
    """Order a quote: a ``pending_payment`` store order (one service line, the quote's amounts) and its service
    order (``payment_pending``). The caller must own the quote (the selector that found it checks).

    409 ``quote_expired``, ``no_machine_fits``, ``quote_already_ordered``; 400 for a pickup makerspace that
    takes no pickups or a guest without an email.
    """
    quote = Quote.objects.select_for_update().select_related("upload", "material").get(pk=quote.pk)
    if ServiceOrder.objects.filter(quote=quote).exists():
        raise ConflictError("This quote was ordered already.", code="quote_already_ordered")
    if quote.valid_until <= timezone.now():
        raise ConflictError("The quote has expired; ask for a new one.", code="quote_expired")
    if not quote.machine_fits:
        raise ConflictError(f"No machine can make this: {quote.machine_fits_reason}", code="no_machine_fits")
    signed_in = getattr(actor, "is_authenticated", False)
    email = (actor.email if signed_in else "") or email
    if not email:
        raise ValidationError("An email is needed to order without signing in.", errors={"email": ["Required."]})
    if delivery == ServiceOrder.Delivery.PICKUP:
        offers_pickup = ServiceCapability.objects.filter(
            makerspace_ref=pickup_makerspace, accepts_store_jobs=True, pickup=True
        ).exists()
        if not offers_pickup:
            raise ValidationError(
                "That makerspace does not hand out store orders.",
                errors={"pickup_makerspace": ["Not a pickup point."]},
            )
        shipping_address = {}
    elif not shipping_address:
        raise ValidationError("A shipping address is needed.", errors={"shipping_address": ["Required."]})
    now = timezone.now()
    title = service_order_title(quote)
    line_amount = quote.subtotal + quote.delivery
    order = Order.objects.create(
        number=f"TMP-{uuid.uuid4().hex[:28]}",
        user=actor if signed_in else None,
        email=email,
        currency=quote.currency,
        subtotal=line_amount,
        tax_rate=quote.tax_rate,
        tax=quote.tax,
        total=quote.total,
        cart=None if signed_in else (cart or quote.cart),
        shipping_address=shipping_address or {},
        notes=f"Maker service from quote {quote.pk}",
        expires_at=now + timedelta(minutes=settings.STORE_ORDER_PAYMENT_TIMEOUT_MINUTES),
    )
    order.number = order_number_for(order)
    order.save(update_fields=["number"])
    # A service line, not a catalog product: no stock to reserve.
    OrderLine.objects.create(
        order=order,
        product=None,
        sku=f"SVC-Q{quote.pk}",
        name=title,
        unit_price=line_amount,
        quantity=1,
        line_total=line_amount,
    )
    OrderEvent.objects.create(order=order, kind="created", to_status=order.status, actor=actor_user(actor))
    try:
        with transaction.atomic():
            service_order = ServiceOrder.objects.create(
                quote=quote,
                order=order,
                user=actor if signed_in else None,
                cart=order.cart,
                status=S.PAYMENT_PENDING,
                delivery=delivery,
                shipping_address=shipping_address or {},
                pickup_makerspace_ref=pickup_makerspace if delivery == ServiceOrder.Delivery.PICKUP else None,
                title=title,
            )
    except IntegrityError as exc:
        raise ConflictError("This quote was ordered already.", code="quote_already_ordered") from exc
    _event(service_order, kind="created", actor=actor, data={"order": order.number, "quote": quote.pk})
    return service_order


def service_order_mirror_order(*, order: Order, actor=None) -> ServiceOrder | None:
    """Called by the order state machine after each change (inside its transaction): paying the store order
    pays its service order; cancelling or refunding it cancels the service order, and when it was published
    (a makerspace has its job) announces ``store.service_order.cancelled`` (the bridge asks the makerspace to
    cancel the job, in this transaction). No service order: no-op."""
    target = ORDER_MIRROR.get(order.status)
    if target is None:
        return None
    service_order = ServiceOrder.objects.select_for_update().filter(order=order).first()
    if service_order is None:
        return None
    to_status, from_statuses = target
    if service_order.status not in from_statuses:
        return service_order
    previous = service_order.status
    service_order.status = to_status
    fields = ["status", "updated_at"]
    if to_status == S.PAID:
        service_order.paid_at = timezone.now()
        fields.append("paid_at")
    service_order.save(update_fields=fields)
    _event(service_order, kind=f"order_{order.status}", actor=actor, from_status=previous, data={"order": order.number})
    if to_status == S.PAID and settings.STORE_SERVICE_ORDER_AUTO_PUBLISH:
        # Paying is the customer's go-ahead: the order goes to the makerspaces in the same transaction.
        _publish_locked(service_order, actor=SYSTEM)
    elif to_status == S.CANCELLED and previous in PUBLISHED_OPEN:
        reason = f"Store order {order.number} {order.status}."
        events.emit("store.service_order.cancelled", service_order=service_order, reason=reason)
    return service_order


def _may_act(*, service_order: ServiceOrder, actor, cart_token: str | None) -> bool:
    if is_store_staff(actor):
        return True
    if getattr(actor, "is_authenticated", False) and service_order.user_id == actor.pk:
        return True
    return bool(
        service_order.user_id is None and cart_token and service_order.cart and service_order.cart.token == cart_token
    )


def job_message(service_order: ServiceOrder) -> dict:
    """The store -> makerspace job message of the bridge wire contract (DESIGN §7)."""
    quote = service_order.quote
    upload = quote.upload
    options = quote.options or {}
    if service_order.delivery == ServiceOrder.Delivery.PICKUP:
        delivery = {"method": "pickup", "makerspace": service_order.pickup_makerspace_ref}
    else:
        delivery = {"method": "ship", "address": service_order.shipping_address}
    quality = options.get("quality") or (f"{options.get('thickness_mm')} mm" if "thickness_mm" in options else "")
    return {
        "external_order_id": str(service_order.pk),
        "source": "store",
        "title": service_order.title,
        "description": (
            f"{quote.quantity} x {upload.original_name} in {quote.material.name}; store order "
            f"{service_order.order.number}; options {options}"
        ),
        "file_url": default_storage.url(upload.file.name),
        "requirements": {
            "material": quote.material.slug,
            "quality": quality,
            "est_weight_g": quote.estimates.get("est_weight_g", 0),
            "est_time_min": quote.estimates.get("est_time_min", 0),
            "capabilities": [quote.process],
        },
        "delivery": delivery,
        "priority": "rush" if options.get("rush") else "normal",
    }


@transaction.atomic
def service_order_publish(*, service_order: ServiceOrder, actor, cart_token: str | None = None) -> ServiceOrder:
    """Hand a paid service order to the makerspaces: writes the job message the bridge will send and moves it
    to ``dispatched``. The owner or store staff; 409 ``invalid_transition`` unless it is ``paid``."""
    service_order = ServiceOrder.objects.select_for_update(of=("self",)).select_related("cart").get(pk=service_order.pk)
    if not _may_act(service_order=service_order, actor=actor, cart_token=cart_token):
        raise PermissionDenied("You cannot publish this service order.")
    if service_order.status != S.PAID:
        raise InvalidTransition(f"A service order that is {service_order.status} cannot be published.")
    return _publish_locked(service_order, actor=actor)


def _publish_locked(service_order: ServiceOrder, *, actor) -> ServiceOrder:
    """Publish a locked ``paid`` service order: the message on the order and the ``published`` event, announced
    as ``store.service_order.published`` (the bridge writes its outbox row in this same transaction)."""
    message = job_message(
        ServiceOrder.objects.select_related("quote__upload", "quote__material", "order").get(pk=service_order.pk)
    )
    previous = service_order.status
    service_order.status = S.DISPATCHED
    service_order.outbound_message = message
    service_order.published_at = timezone.now()
    service_order.save(update_fields=["status", "outbound_message", "published_at", "updated_at"])
    _event(service_order, kind="published", actor=actor, from_status=previous, data={"message": message})
    events.emit("store.service_order.published", service_order=service_order, message=message)
    return service_order


# The bridge wire contract's job statuses (DESIGN.md §7) and the service order status each one means.
WIRE_STATUSES = {
    "PUBLISHED": S.PENDING_ASSIGNMENT,
    "ACCEPTED": S.ASSIGNED_TO_PROVIDER,
    "PRINTING": S.IN_PRODUCTION,
    "READY": S.READY_FOR_SHIPPING,
    "SHIPPED": S.SHIPPED,
    "COMPLETED": S.COMPLETED,
    "CANCELLED": S.CANCELLED,
}
# Progress order: a status report never moves a service order to a lower rank (late or replayed reports).
_RANK = {
    S.PAID: 1,
    S.DISPATCHED: 2,
    S.PENDING_ASSIGNMENT: 3,
    S.ASSIGNED_TO_PROVIDER: 4,
    S.IN_PRODUCTION: 5,
    S.READY_FOR_SHIPPING: 6,
    S.SHIPPED: 7,
    S.COMPLETED: 8,
    S.DELIVERED: 8,
}
_TERMINAL = {S.COMPLETED, S.DELIVERED, S.CANCELLED, S.FAILED}


def _status_moves(current: str, target: str) -> bool:
    if current in _TERMINAL or current not in _RANK:
        return False  # finished, or not paid yet: nothing a makerspace reports applies
    if target == S.CANCELLED:
        return _RANK[current] < _RANK[S.SHIPPED]  # a shipped order is not cancelled by a late report
    return _RANK[target] > _RANK[current]


@transaction.atomic(savepoint=False)  # the bridge calls it inside its own savepoint: no second one
def service_order_status_apply(
    *, service_order: ServiceOrder, status: str, at=None, note: str = "", actor=SYSTEM, job_ref: str = ""
) -> tuple[ServiceOrder, bool]:
    """Apply a makerspace's job status report (a wire status, DESIGN.md §7) to the service order.

    Only the platform (``SYSTEM``: the bridge) reports. Progress only moves forward: a report that would move
    the order back (out of order, replayed) or touch a finished one is recorded on the timeline as ignored and
    answered ``(order, False)``. An applied report notifies the customer. 400 for an unknown wire status, 404
    ``service_order_not_found``.
    """
    if actor is not SYSTEM:
        raise PermissionDenied("Only the platform reports job status.", code="not_platform")
    target = WIRE_STATUSES.get(str(status).upper())
    if target is None:
        raise ValidationError(
            "Unknown job status.", errors={"status": [f"One of {', '.join(WIRE_STATUSES)}."]}, code="unknown_status"
        )
    service_order = (
        ServiceOrder.objects.select_for_update(of=("self",))
        .select_related("order", "user")  # the customer comes with the order: notify needs no read of its own
        .filter(pk=service_order.pk)
        .first()
    )
    if service_order is None:
        raise NotFound("No such service order.", code="service_order_not_found")
    data = {"wire_status": str(status).upper(), "job": job_ref, "at": at.isoformat() if at else None}
    previous = service_order.status
    fields = ["updated_at"]
    if job_ref and not service_order.job_ref:
        service_order.job_ref = str(job_ref)[:64]
        fields.append("job_ref")
    if not _status_moves(previous, target):
        service_order.save(update_fields=fields)
        _event(service_order, kind="job_status_ignored", from_status=previous, note=note, data=data)
        return service_order, False
    service_order.status = target
    fields.append("status")
    service_order.save(update_fields=fields)
    _event(service_order, kind="job_status", from_status=previous, note=note, data=data)
    _customer_notify(service_order, note=note)
    return service_order, True


def _customer_notify(service_order: ServiceOrder, *, note: str) -> None:
    context = {
        "service_order": service_order.pk,
        "order": service_order.order.number,
        "title": service_order.title,
        "status": service_order.status,
        "status_label": str(S(service_order.status).label),
        "note": note,
    }
    if service_order.user_id is not None:
        notify(service_order.user, "service_order.status_changed", context)
        return
    email = service_order.order.email
    if email:  # a guest has no account to notify: a plain email after commit
        subject = f"Your maker service order SO-{service_order.pk}: {context['status_label']}"
        body = f'Your order "{service_order.title}" (store order {context["order"]}) is now: {context["status_label"]}.'
        if note:
            body += f"\n\nFrom the makerspace: {note}"
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True), robust=True
        )


def service_order_job_cancel_refused(*, service_order_id: int, reply: dict, actor=SYSTEM) -> bool:
    """The makerspace refused to cancel the job (already made or handed over): a note on the timeline, so staff
    see the customer was refunded for work that exists. False when the service order is gone."""
    if actor is not SYSTEM:
        raise PermissionDenied("Only the platform records bridge answers.", code="not_platform")
    service_order = ServiceOrder.objects.filter(pk=service_order_id).first()
    if service_order is None:
        return False
    detail = str(reply.get("detail") or "")[:500]
    _event(
        service_order,
        kind="job_cancel_refused",
        from_status=service_order.status,
        note=f"The makerspace did not cancel the job: {detail}"[:1000],
        data={"code": str(reply.get("code") or ""), "job": service_order.job_ref},
    )
    return True


def service_order_job_link(*, service_order_id: int, job_ref: str, actor=SYSTEM) -> bool:
    """Remember the makerspace job a published service order became (the bridge, once the job was received)."""
    if actor is not SYSTEM:
        raise PermissionDenied("Only the platform links jobs.", code="not_platform")
    return bool(
        ServiceOrder.objects.filter(pk=service_order_id, job_ref="").update(
            job_ref=str(job_ref)[:64], updated_at=timezone.now()
        )
    )
