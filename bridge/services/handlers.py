"""Event handlers: the apps announce changes (``makrx.events``); the bridge turns them into outbox messages in
the same transaction. This is the one module that knows the events of both sides."""

from __future__ import annotations

import logging

from bridge.models import OutboxMessage
from bridge.services.outbox import outbox_write
from makrx import events

logger = logging.getLogger("bridge.handlers")

Kind = OutboxMessage.Kind
Destination = OutboxMessage.Destination

# Makerspace job status -> wire status (DESIGN.md §7). A job handed over at a pickup point is COMPLETED.
JOB_TO_WIRE = {
    "received": "PUBLISHED",
    "accepted": "ACCEPTED",
    "in_progress": "PRINTING",
    "completed": "READY",
    "shipped": "SHIPPED",
    "rejected": "CANCELLED",
    "cancelled": "CANCELLED",
}


def service_order_published(*, service_order, message: dict, **_ignored) -> None:
    """A paid service order was published: the job message for the makerspaces, with what the job records
    beyond the wire contract (quantity, price, customer, the chosen pickup makerspace)."""
    quote = service_order.quote
    order = service_order.order
    user = service_order.user
    payload = {
        **message,
        "quantity": quote.quantity,
        "price": str(order.total),
        "currency": order.currency,
        "customer": {
            "email": order.email,
            "name": (user.get_full_name() or user.username) if user is not None else "",
        },
        "makerspace_id": service_order.pickup_makerspace_ref,
    }
    outbox_write(
        kind=Kind.JOB_CREATE, destination=Destination.MAKERSPACE, key=f"so:{service_order.pk}", payload=payload
    )


def service_order_cancelled(*, service_order, reason: str = "", **_ignored) -> None:
    """A published service order was cancelled or refunded in the store: ask the makerspace to cancel its job.
    Same key as the job message, so it is never delivered before it."""
    payload = {"external_order_id": str(service_order.pk), "source": "store", "reason": reason or "Cancelled."}
    outbox_write(
        kind=Kind.JOB_CANCEL, destination=Destination.MAKERSPACE, key=f"so:{service_order.pk}", payload=payload
    )


def job_status_changed(*, job, to_status: str, note: str = "", at=None, **_ignored) -> None:
    """A store job changed status: report it to the store (jobs from elsewhere are not the store's business)."""
    if getattr(job, "source", "store") != "store" or not getattr(job, "external_order_id", ""):
        return
    wire_status = JOB_TO_WIRE.get(str(to_status))
    if wire_status is None:
        logger.warning("bridge: job status %s has no wire status", to_status)
        return
    delivery = getattr(job, "delivery", None) or {}
    if wire_status == "SHIPPED" and isinstance(delivery, dict) and delivery.get("method") == "pickup":
        wire_status = "COMPLETED"
    external = str(job.external_order_id)
    payload = {
        "service_order_id": int(external) if external.isdigit() else external,
        "status": wire_status,
        "milestone": {"at": at.isoformat() if at else None, "note": note or ""},
        "job_id": str(job.pk),
    }
    outbox_write(kind=Kind.JOB_STATUS, destination=Destination.STORE, key=f"so:{external}", payload=payload)


def _account(user) -> dict:
    return {"sub": user.keycloak_sub or "", "username": "" if user.keycloak_sub else user.username}


def quick_reorder_requested(*, makerspace, user, lines: list[dict], **_ignored) -> None:
    """A makerspace's low-stock store items become the staff member's store reorder list for that space."""
    payload = {
        "account": _account(user),
        "name": f"Quick reorder: {makerspace.name}"[:200],
        "lines": [{"sku": line["sku"], "quantity": int(line["quantity"])} for line in lines],
    }
    outbox_write(kind=Kind.REORDER_LIST, destination=Destination.STORE, key=f"reorder:{makerspace.pk}", payload=payload)


def project_bom_to_cart_requested(*, project, user, lines: list[dict], **_ignored) -> None:
    """A project BOM's store lines go into the member's store cart."""
    payload = {
        "account": _account(user),
        "reference": f"project:{project.pk}",
        "lines": [{"sku": line["sku"], "quantity": int(line["quantity"])} for line in lines],
    }
    outbox_write(kind=Kind.BOM_CART, destination=Destination.STORE, key=f"project:{project.pk}", payload=payload)


def message_delivered(message: OutboxMessage) -> None:
    """After a message was sent: remember which job a published service order became; note a refused cancel
    (the job was already made) on the service order's timeline."""
    if message.kind == Kind.JOB_CANCEL and message.last_status_code == 409:
        from store.services.service_orders import service_order_job_cancel_refused

        external = str(message.payload.get("external_order_id", ""))
        if external.isdigit():
            service_order_job_cancel_refused(service_order_id=int(external), reply=message.response or {})
        return
    if message.kind == Kind.JOB_CREATE and isinstance(message.response, dict) and message.response.get("job_id"):
        from store.services.service_orders import service_order_job_link

        external = str(message.payload.get("external_order_id", ""))
        if external.isdigit():
            service_order_job_link(service_order_id=int(external), job_ref=str(message.response["job_id"]))


SUBSCRIPTIONS = {
    "store.service_order.published": service_order_published,
    "store.service_order.cancelled": service_order_cancelled,
    "makerspace.job.status_changed": job_status_changed,
    "makerspace.inventory.quick_reorder_requested": quick_reorder_requested,
    "makerspace.project.bom_to_cart_requested": project_bom_to_cart_requested,
}


def connect() -> None:
    for name, handler in SUBSCRIPTIONS.items():
        events.subscribe(name, handler)
