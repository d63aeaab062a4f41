"""Inbound deliveries: every request the receivers got (verified or not, with its result), and the events applied."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class InboundDelivery(models.Model):
    """One request to a bridge receiver as it arrived (append-only; secrets never stored)."""

    class Endpoint(models.TextChoices):
        JOB_CREATE = "job.create", "Job from the store"
        JOB_STATUS = "job.status", "Job status from a makerspace"
        REORDER_LIST = "reorder.list", "Quick reorder list"
        BOM_CART = "bom.cart", "Project BOM cart"

    class Result(models.TextChoices):
        APPLIED = "applied", "Applied"
        DUPLICATE = "duplicate", "Duplicate (answered, not applied again)"
        IGNORED = "ignored", "Out of order (recorded, ignored)"
        REJECTED = "rejected", "Refused (authentication)"
        INVALID = "invalid", "Invalid body"
        NOT_FOUND = "not_found", "Unknown object"
        CONFLICT = "conflict", "Refused by a rule"

    endpoint = models.CharField(max_length=20, choices=Endpoint.choices)
    transport = models.CharField(max_length=12, default="http")
    path = models.CharField(max_length=300)
    headers = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    verified = models.BooleanField(default=False)
    auth_method = models.CharField(max_length=12, blank=True)
    event_id = models.CharField(max_length=100, blank=True, db_index=True)
    result = models.CharField(max_length=10, choices=Result.choices)
    status_code = models.PositiveSmallIntegerField()
    detail = models.TextField(blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "inbound deliveries"

    def __str__(self) -> str:
        return f"{self.endpoint} {self.result} {self.created_at:%Y-%m-%d %H:%M:%S}"


class ReceivedEvent(models.Model):
    """An inbound event applied once: ``key`` is ``event:<event_id>`` or, for an older sender without one,
    ``legacy:<endpoint>:<order id>:<status>``. Written in the transaction that applies it; a duplicate gets the
    stored answer."""

    key = models.CharField(max_length=200, unique=True)
    endpoint = models.CharField(max_length=20)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.key
