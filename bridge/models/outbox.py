"""The outbox: every message to the other side, written in the transaction that causes it, and each attempt."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from makrx.models import TimeStampedModel


class OutboxMessage(TimeStampedModel):
    """One message to the other side. The numeric id orders messages (per ``destination`` + ``key``, a message
    is not sent while an older one is undelivered); ``message_id`` is its identity on the wire
    (``Idempotency-Key``, ``event_id``)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (will retry)"
        DEAD = "dead", "Dead (no more attempts)"

    class Destination(models.TextChoices):
        MAKERSPACE = "makerspace", "Makerspace side"
        STORE = "store", "Store side"

    class Kind(models.TextChoices):
        JOB_CREATE = "job.create", "Job for a makerspace"
        JOB_CANCEL = "job.cancel", "Job cancelled by the store"
        JOB_STATUS = "job.status", "Job status for the store"
        REORDER_LIST = "reorder.list", "Quick reorder list for the store"
        BOM_CART = "bom.cart", "Project BOM lines into a store cart"

    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    destination = models.CharField(max_length=12, choices=Destination.choices)
    key = models.CharField(max_length=100, help_text="Messages with one key are delivered in order.")
    payload = models.JSONField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(
        null=True, blank=True, help_text="A worker holds it until then (in flight); after that the sweep may."
    )
    last_error = models.TextField(blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    response = models.JSONField(null=True, blank=True, help_text="The other side's answer once sent.")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="bridge_outbox_due_idx"),
            models.Index(fields=["destination", "key", "id"], name="bridge_outbox_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"


class DeliveryAttempt(models.Model):
    """One try at sending a message (append-only): what was called and what came back."""

    class Result(models.TextChoices):
        SENT = "sent", "Sent"
        RETRY = "retry", "Failed, will retry"
        DEAD = "dead", "Failed for good"

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveIntegerField()
    transport = models.CharField(max_length=12)
    url = models.CharField(max_length=500, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    result = models.CharField(max_length=8, choices=Result.choices)
    error = models.TextField(blank=True)
    response_body = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.message_id} #{self.number} {self.result}"
