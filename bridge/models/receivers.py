"""Inbound deliveries: every request the receivers got (verified or not, with its result), the job-status inbox
(a stored delivery waiting for its apply) and the events applied."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class InboundDelivery(models.Model):
    """One request to a bridge receiver as it arrived (secrets never stored).

    A new ``job.status`` delivery is also its own inbox row: stored with its ``dedupe_key`` and ``state``
    ``pending`` (answered 202 ``queued``), then applied by ``inbound_apply_pending`` (``done`` with
    ``apply_result`` ``applied``/``ignored``, or ``failed`` with the error in ``detail``). Other rows have no
    state: their request was answered synchronously."""

    class Endpoint(models.TextChoices):
        JOB_CREATE = "job.create", "Job from the store"
        JOB_CANCEL = "job.cancel", "Job cancelled by the store"
        JOB_STATUS = "job.status", "Job status from a makerspace"
        REORDER_LIST = "reorder.list", "Quick reorder list"
        BOM_CART = "bom.cart", "Project BOM cart"

    class Result(models.TextChoices):
        QUEUED = "queued", "Stored, applied by the worker"
        APPLIED = "applied", "Applied"
        DUPLICATE = "duplicate", "Duplicate (answered, not applied again)"
        IGNORED = "ignored", "Out of order (recorded, ignored)"
        REJECTED = "rejected", "Refused (authentication)"
        INVALID = "invalid", "Invalid body"
        NOT_FOUND = "not_found", "Unknown object"
        CONFLICT = "conflict", "Refused by a rule"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for its apply"
        DONE = "done", "Applied or ignored"
        FAILED = "failed", "Apply failed"

    class ApplyResult(models.TextChoices):
        APPLIED = "applied", "Applied"
        IGNORED = "ignored", "Out of order (recorded, ignored)"
        FAILED = "failed", "Failed"

    endpoint = models.CharField(max_length=20, choices=Endpoint.choices)
    transport = models.CharField(max_length=12, default="http")
    path = models.CharField(max_length=300)
    headers = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    verified = models.BooleanField(default=False)
    auth_method = models.CharField(max_length=12, blank=True)
    # Not indexed: a stored status is found by its unique dedupe_key (``event:<id>``), and the admin's search is
    # a scan over path, body and detail anyway. Each index here was one more write per delivery.
    event_id = models.CharField(max_length=100, blank=True)
    result = models.CharField(max_length=10, choices=Result.choices)
    status_code = models.PositiveSmallIntegerField()
    detail = models.TextField(blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The inbox (job.status): the delivery's dedupe key (event:<id>, idempotency:…, legacy:…) and its apply.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)  # unique: see Meta (no LIKE index)
    # What the apply needs, as validated at intake (the stored body may be cut at 64 KB).
    message = models.JSONField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    apply_result = models.CharField(max_length=8, choices=ApplyResult.choices, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "inbound deliveries"
        constraints = [
            # A constraint rather than unique=True: PostgreSQL gets no second (LIKE) index to update per insert.
            models.UniqueConstraint(fields=["dedupe_key"], name="bridge_inbound_dedupe_key_unique"),
        ]
        indexes = [
            # The applier's scan: pending (and failed, retried by the sweep) rows in id order.
            models.Index(fields=["id"], condition=Q(state__in=["pending", "failed"]), name="bridge_inbox_open"),
        ]

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
