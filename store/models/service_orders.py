"""Service orders: a quote the customer ordered, paid through a store order, then published to a makerspace."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from makrx.models import TimeStampedModel


class ServiceOrder(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING_QUOTE = "pending_quote", "Pending quote"
        QUOTED = "quoted", "Quoted"
        PAYMENT_PENDING = "payment_pending", "Payment pending"
        PAID = "paid", "Paid"
        DISPATCHED = "dispatched", "Dispatched to a makerspace"
        PENDING_ASSIGNMENT = "pending_assignment", "Received by a makerspace"
        ASSIGNED_TO_PROVIDER = "assigned_to_provider", "Accepted by a provider"
        IN_PRODUCTION = "in_production", "In production"
        READY_FOR_SHIPPING = "ready_for_shipping", "Ready for shipping"
        COMPLETED = "completed", "Completed"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"

    class Delivery(models.TextChoices):
        SHIP = "ship", "Ship"
        PICKUP = "pickup", "Pick up"

    quote = models.OneToOneField("store.Quote", on_delete=models.PROTECT, related_name="service_order")
    order = models.OneToOneField("store.Order", on_delete=models.PROTECT, related_name="service_order")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="service_orders"
    )
    cart = models.ForeignKey(
        "store.Cart", on_delete=models.SET_NULL, null=True, blank=True, related_name="service_orders"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PAYMENT_PENDING, db_index=True)
    delivery = models.CharField(max_length=8, choices=Delivery.choices)
    shipping_address = models.JSONField(default=dict, blank=True)
    pickup_makerspace_ref = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=255)
    outbound_message = models.JSONField(null=True, blank=True, help_text="The job message for the bridge.")
    job_ref = models.CharField(max_length=64, blank=True, help_text="The makerspace job's id (from the bridge).")
    paid_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="store_svcorder_user_idx")]

    def __str__(self) -> str:
        return f"SO-{self.pk} ({self.status})"


class ServiceOrderEvent(TimeStampedModel):
    """Append-only timeline of a service order."""

    service_order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.service_order_id} {self.kind}"
